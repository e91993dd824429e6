import { agentRoute } from "@/lib/http/route";

export const GET = agentRoute({}, async ({ agent }) => ({
  agent_id: agent.agentId,
  agent_name: agent.name,
  tenant_id: agent.tenantId,
  token_id: agent.jti,
}));
