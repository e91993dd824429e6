import { changeAgentStatus } from "@/lib/agents/change-agent-status";
import { changeStatusInput } from "@/lib/agents/schemas";
import { memberRoute } from "@/lib/http/route";

export const POST = memberRoute({ permission: "agents.manage", body: changeStatusInput }, async ({ member, params, body, requestId }) =>
  changeAgentStatus({ actor: member, agentId: params.agentId!, status: body.status, reason: body.reason, requestId }),
);
