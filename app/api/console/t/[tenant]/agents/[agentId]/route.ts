import { getAgent } from "@/lib/agents/get-agent";
import { updateAgentInput } from "@/lib/agents/schemas";
import { updateAgent } from "@/lib/agents/update-agent";
import { AppError } from "@/lib/errors";
import { memberRoute } from "@/lib/http/route";

export const GET = memberRoute({ permission: "console.view" }, async ({ member, params }) => {
  const agent = await getAgent({ tenantId: member.tenant.id, agentId: params.agentId! });
  if (!agent) throw new AppError("not_found", "Agent not found.");
  return agent;
});

export const PATCH = memberRoute({ permission: "agents.manage", body: updateAgentInput }, async ({ member, params, body, requestId }) => {
  const agent = await updateAgent({ actor: member, agentId: params.agentId!, changes: body, requestId });
  return { id: agent.id, name: agent.name };
});
