import { memberRoute } from "@/lib/http/route";
import { deleteOperation } from "@/lib/tools/delete-operation";
import { updateOperationInput } from "@/lib/tools/schemas";
import { updateOperation } from "@/lib/tools/update-operation";

export const PATCH = memberRoute({ permission: "policies.manage", body: updateOperationInput }, async ({ member, params, body, requestId }) =>
  updateOperation({ actor: member, toolId: params.toolId!, operationId: params.operationId!, changes: body, requestId }),
);

export const DELETE = memberRoute({ permission: "policies.manage" }, async ({ member, params, requestId }) =>
  deleteOperation({ actor: member, toolId: params.toolId!, operationId: params.operationId!, requestId }),
);
