import { decideAction } from "@/lib/decisions/decide-action";
import { decisionRequest } from "@/lib/decisions/schemas";
import { agentRoute } from "@/lib/http/route";

export const POST = agentRoute({ body: decisionRequest }, async ({ agent, body, requestId }) => decideAction({ agent, request: body, requestId }));
