import { memberRoute, reply } from "@/lib/http/route";
import { upsertOperationInput } from "@/lib/tools/schemas";
import { upsertOperation } from "@/lib/tools/upsert-operation";

/** Adds an operation, or replaces the one with the same name: 201 when added. */
export const POST = memberRoute({ permission: "policies.manage", body: upsertOperationInput }, async ({ member, params, body, requestId }) => {
  const result = await upsertOperation({ actor: member, toolId: params.toolId!, operation: body, requestId });
  return result.created ? reply(result, { status: 201 }) : result;
});
