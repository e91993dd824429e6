import { revokeCredential } from "@/lib/agents/revoke-credential";
import { revokeCredentialInput } from "@/lib/agents/schemas";
import { memberRoute } from "@/lib/http/route";

export const POST = memberRoute({ permission: "agents.manage", body: revokeCredentialInput }, async ({ member, params, body, requestId }) =>
  revokeCredential({ actor: member, agentId: params.agentId!, credentialId: params.credentialId!, reason: body.reason, requestId }),
);
