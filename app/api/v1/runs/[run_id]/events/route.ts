import { agentRoute } from "@/lib/http/route";
import { listRunEvents, runEventsQuery } from "@/lib/runs/list-run-events";

export const GET = agentRoute({ query: runEventsQuery }, async ({ agent, params, query }) =>
  listRunEvents({ tenantId: agent.tenantId, agentId: agent.agentId, externalId: params.run_id!, after: query.after, limit: query.limit }),
);
