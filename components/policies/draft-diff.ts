import { normalizeRule } from "./describe";
import type { Rule, RuleChange } from "./types";

/** JSON with object keys sorted, so two equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const FIELDS: (keyof Rule)[] = ["name", "effect", "mode", "agents", "groups", "tool", "operations", "resources", "constraints", "destinations", "timeWindow", "approval", "cedar"];

/**
 * The draft against the published rules, matched by id (as lib/policy/diff-rules.ts),
 * comparing values regardless of key order. GET …/policy answers its own `changes`, but
 * it compares the draft as Postgres jsonb returns it (keys reordered) with the published
 * rules as parsed (schema order), so a threshold or time window that did not change
 * shows as changed; this recomputes it on the client.
 */
export function draftChanges(published: Rule[], draft: Rule[]): RuleChange[] {
  const before = new Map(published.map((r) => [r.id, normalizeRule(r)]));
  const changes: RuleChange[] = [];
  for (const raw of draft) {
    const rule = normalizeRule(raw);
    const prior = before.get(rule.id);
    if (!prior) {
      changes.push({ kind: "added", rule });
      continue;
    }
    before.delete(rule.id);
    const fields = FIELDS.filter((k) => canonical(rule[k]) !== canonical(prior[k])).map((k) => ({ field: k, before: prior[k], after: rule[k] }));
    if (fields.length) changes.push({ kind: "changed", before: prior, after: rule, fields });
  }
  for (const rule of before.values()) changes.push({ kind: "removed", rule });
  return changes;
}
