import { deleteConnection } from "@/lib/connections/delete-connection";
import { updateConnectionInput } from "@/lib/connections/schemas";
import { updateConnection } from "@/lib/connections/update-connection";
import { memberRoute } from "@/lib/http/route";

export const PATCH = memberRoute({ permission: "settings.manage", body: updateConnectionInput }, async ({ member, params, body, requestId }) => ({
  connection: await updateConnection({ actor: member, connectionId: params.connectionId!, changes: body, requestId }),
}));

export const DELETE = memberRoute({ permission: "settings.manage" }, async ({ member, params, requestId }) => {
  await deleteConnection({ actor: member, connectionId: params.connectionId!, requestId });
  return new Response(null, { status: 204 });
});
