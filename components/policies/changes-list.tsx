import { Badge } from "@/components/ui/badge";
import { FIELD_LABEL, approvalText, conditionTexts, fieldValueText, normalizeRule, operationsText, plural, whoText } from "./describe";
import type { RuleChange } from "./types";

/** "2 added, 1 changed, 1 removed", as the server's version summary words it. */
export function changesSummary(changes: RuleChange[]): string {
  if (!changes.length) return "No rule changes";
  const count = (k: RuleChange["kind"]) => changes.filter((c) => c.kind === k).length;
  return [count("added") && `${count("added")} added`, count("changed") && `${count("changed")} changed`, count("removed") && `${count("removed")} removed`].filter(Boolean).join(", ");
}

const KIND = {
  added: { tone: "green", label: "added" },
  changed: { tone: "amber", label: "changed" },
  removed: { tone: "red", label: "removed" },
} as const;

/**
 * A rule-level diff, readable without Cedar: added and removed rules with what they say,
 * changed rules field by field (before → after).
 */
export function ChangesList({ changes, agentName, label }: { changes: RuleChange[]; agentName: (id: string) => string; label: string }) {
  if (!changes.length) return <p className="text-sm text-slate-500">No rule changes.</p>;
  return (
    <ul className="divide-y divide-slate-100" aria-label={label}>
      {changes.map((change) => {
        const rule = normalizeRule(change.kind === "changed" ? change.after : change.rule);
        return (
          <li key={`${change.kind}-${rule.id}`} className="py-2" data-testid="rule-change">
            <div className="flex items-baseline gap-2">
              <Badge tone={KIND[change.kind].tone}>{KIND[change.kind].label}</Badge>
              <span className={change.kind === "removed" ? "font-medium text-slate-500 line-through" : "font-medium text-slate-900"}>{rule.name || rule.id}</span>
              {change.kind === "changed" ? <span className="text-xs text-slate-500">{plural(change.fields.length, "field")}</span> : null}
            </div>
            {change.kind === "changed" ? (
              <dl className="mt-1 space-y-0.5 pl-1 text-xs">
                {change.fields.map((f) => (
                  <div key={f.field} className="grid grid-cols-[9rem_1fr] gap-2">
                    <dt className="text-slate-500">{FIELD_LABEL[f.field] ?? f.field}</dt>
                    <dd className="min-w-0 break-words">
                      <span className="bg-red-50 text-red-800 line-through decoration-red-300">{fieldValueText(f.field, f.before)}</span>
                      <span className="px-1 text-slate-400" aria-hidden>
                        →
                      </span>
                      <span className="sr-only"> changed to </span>
                      <span className="bg-emerald-50 text-emerald-800">{fieldValueText(f.field, f.after)}</span>
                    </dd>
                  </div>
                ))}
              </dl>
            ) : (
              <p className="mt-0.5 pl-1 text-xs text-slate-600">
                {rule.effect === "forbid" ? "Forbids" : "Permits"} {whoText(rule, agentName).replace(/^All agents$/, "all agents")} · {operationsText(rule)}
                {conditionTexts(rule).length ? ` · ${conditionTexts(rule).join(" · ")}` : ""}
                {rule.effect === "permit" ? ` · ${approvalText(rule.approval)}` : ""}
                {rule.mode === "shadow" ? " · shadow" : ""}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
