import { createAgent } from "@/lib/agents/create-agent";
import { listAgents } from "@/lib/agents/list-agents";
import { createAgentInput } from "@/lib/agents/schemas";
import { memberRoute, reply } from "@/lib/http/route";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => ({ agents: await listAgents({ tenantId: member.tenant.id }) }));

export const POST = memberRoute({ permission: "agents.manage", body: createAgentInput }, async ({ member, body, requestId }) => {
  const agent = await createAgent({ actor: member, agent: body, requestId });
  return reply({ agent: { id: agent.id, name: agent.name } }, { status: 201 });
});
