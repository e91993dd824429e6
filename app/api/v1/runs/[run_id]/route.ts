import { agentRoute } from "@/lib/http/route";
import { getRun } from "@/lib/runs/get-run";

export const GET = agentRoute({}, async ({ agent, params }) => getRun({ tenantId: agent.tenantId, agentId: agent.agentId, externalId: params.run_id! }));
