import { canonicalJson } from "@/lib/audit/chain";

type OperationFields = { description: string; argsSchema: unknown; riskClass: string; reversible: boolean };

/**
 * The fields of `next` that differ from `current` (schemas compared as canonical JSON,
 * so key order does not count), as before/after halves for the audit log; null if none.
 */
export function operationChanges(current: OperationFields, next: Partial<OperationFields>) {
  const keys = (Object.keys(next) as (keyof OperationFields)[]).filter(
    (k) => next[k] !== undefined && (k === "argsSchema" ? canonicalJson(next[k]) !== canonicalJson(current[k]) : next[k] !== current[k]),
  );
  if (keys.length === 0) return null;
  return {
    keys,
    before: Object.fromEntries(keys.map((k) => [k, current[k]])) as Partial<OperationFields>,
    after: Object.fromEntries(keys.map((k) => [k, next[k]])) as Partial<OperationFields>,
  };
}
