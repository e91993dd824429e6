import { memberRoute } from "@/lib/http/route";
import { getPolicy } from "@/lib/policy/manage-policy";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => getPolicy({ tenantId: member.tenant.id }));
