import { callTool } from "@/lib/gateway/call-tool";
import { gatewayRequest } from "@/lib/gateway/schemas";
import { agentRoute } from "@/lib/http/route";

export const POST = agentRoute({ body: gatewayRequest }, async ({ request, agent, params, body, requestId }) =>
  callTool({ agent, tool: params.tool!, operation: params.operation!, request: body, requestId, cancelled: () => request.signal }),
);
