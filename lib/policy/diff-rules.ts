import { canonicalJson } from "@/lib/audit/chain";
import type { Rule } from "./rules";

export type RuleChange =
  | { kind: "added"; rule: Rule }
  | { kind: "removed"; rule: Rule }
  | { kind: "changed"; before: Rule; after: Rule; fields: { field: string; before: unknown; after: unknown }[] };

/** A readable diff between two rule sets, matched by rule id. */
export function diffRules(before: Rule[], after: Rule[]): RuleChange[] {
  const old = new Map(before.map((r) => [r.id, r]));
  const changes: RuleChange[] = [];
  for (const rule of after) {
    const prior = old.get(rule.id);
    if (!prior) {
      changes.push({ kind: "added", rule });
      continue;
    }
    old.delete(rule.id);
    const fields = (Object.keys(rule) as (keyof Rule)[])
      .filter((k) => canonicalJson(rule[k]) !== canonicalJson(prior[k]))
      .map((k) => ({ field: k, before: prior[k], after: rule[k] }));
    if (fields.length) changes.push({ kind: "changed", before: prior, after: rule, fields });
  }
  for (const rule of old.values()) changes.push({ kind: "removed", rule });
  return changes;
}

export function summarize(changes: RuleChange[]): string {
  if (!changes.length) return "No rule changes";
  const count = (k: RuleChange["kind"]) => changes.filter((c) => c.kind === k).length;
  return [
    count("added") && `${count("added")} added`,
    count("changed") && `${count("changed")} changed`,
    count("removed") && `${count("removed")} removed`,
  ]
    .filter(Boolean)
    .join(", ");
}
