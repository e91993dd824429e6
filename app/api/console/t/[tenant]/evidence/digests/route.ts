import { listDigests } from "@/lib/evidence/digests";
import { memberRoute } from "@/lib/http/route";

export const GET = memberRoute({ permission: "audit.view" }, async ({ member }) => ({ digests: await listDigests({ tenantId: member.tenant.id }) }));
