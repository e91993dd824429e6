import { memberRoute } from "@/lib/http/route";
import { capabilityReport } from "@/lib/policy/capability-report";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => capabilityReport({ tenantId: member.tenant.id }));
