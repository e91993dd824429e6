import { addCredential } from "@/lib/agents/add-credential";
import { addCredentialInput } from "@/lib/agents/schemas";
import { memberRoute, reply } from "@/lib/http/route";

/** The client secret, if any, is in this answer and nowhere else, ever. */
export const POST = memberRoute({ permission: "agents.manage", body: addCredentialInput }, async ({ member, params, body, requestId }) =>
  reply(await addCredential({ actor: member, agentId: params.agentId!, credential: body, requestId }), { status: 201 }),
);
