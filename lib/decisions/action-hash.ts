import { sha256 } from "@/lib/sha256";
import { canonicalJson } from "@/lib/audit/chain";

/** The identity of a proposed action: an approval is bound to exactly this hash. */
export function actionHash(action: { tool: string; operation: string; resource?: { type: string; id: string } | null; args: Record<string, unknown> }): string {
  return sha256(canonicalJson({ tool: action.tool, operation: action.operation, resource: action.resource ?? null, args: action.args }));
}
