import { verifyDigestChain } from "@/lib/evidence/digests";
import { memberRoute } from "@/lib/http/route";

/** Checks every digest's signature and link, and recomputes the latest ones from the stored rows. */
export const POST = memberRoute({ permission: "audit.view" }, async ({ member }) => verifyDigestChain({ tenantId: member.tenant.id }));
