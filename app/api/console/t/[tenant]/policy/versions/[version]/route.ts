import { AppError } from "@/lib/errors";
import { memberRoute } from "@/lib/http/route";
import { getPolicyVersion } from "@/lib/policy/manage-policy";

export const GET = memberRoute({ permission: "console.view" }, async ({ member, params }) => {
  const version = Number(params.version);
  const found = Number.isSafeInteger(version) ? await getPolicyVersion({ tenantId: member.tenant.id, version }) : null;
  if (!found) throw new AppError("not_found", "No such version.");
  return found;
});
