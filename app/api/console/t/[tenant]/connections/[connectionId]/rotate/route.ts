import { rotateConnection } from "@/lib/connections/rotate-connection";
import { rotateConnectionInput } from "@/lib/connections/schemas";
import { memberRoute } from "@/lib/http/route";

export const POST = memberRoute({ permission: "settings.manage", body: rotateConnectionInput }, async ({ member, params, body, requestId }) => ({
  connection: await rotateConnection({ actor: member, connectionId: params.connectionId!, secret: body.secret, overlapSeconds: body.overlapSeconds, requestId }),
}));
