import { memberRoute } from "@/lib/http/route";
import { importOperations } from "@/lib/tools/import-operations";
import { importOperationsInput } from "@/lib/tools/schemas";

/** Preview (`confirm: false`) or apply (`confirm: true`) an import of an MCP tool list or an OpenAPI document. */
export const POST = memberRoute({ permission: "policies.manage", body: importOperationsInput, checksStorableItself: true }, async ({ member, body, requestId }) =>
  importOperations({ actor: member, request: body, requestId }),
);
