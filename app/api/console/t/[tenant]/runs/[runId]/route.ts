import { memberRoute } from "@/lib/http/route";
import { getRun } from "@/lib/runs/get-run";

export const GET = memberRoute({ permission: "console.view" }, async ({ member, params }) => getRun({ tenantId: member.tenant.id, id: params.runId! }));
