import { rotateClientSecret } from "@/lib/agents/rotate-client-secret";
import { rotateSecretInput } from "@/lib/agents/schemas";
import { memberRoute } from "@/lib/http/route";

export const POST = memberRoute({ permission: "agents.manage", body: rotateSecretInput }, async ({ member, params, body, requestId }) =>
  rotateClientSecret({ actor: member, agentId: params.agentId!, credentialId: params.credentialId!, ...body, requestId }),
);
