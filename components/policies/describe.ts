import type { Approval, ApprovalTier, Capability, Constraint, Outcome, RiskClass, Rule, TimeWindow } from "./types";

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A fresh rule id, `r_` + 12 random base-36 characters (rules.ts: /^r_[0-9a-z]{6,32}$/). */
export function newRuleId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `r_${Array.from(bytes, (b) => ID_ALPHABET[b % 36]).join("")}`;
}

/**
 * A rule as stored in the draft, with every field present. Drafts are saved as typed
 * (problems and all), so a rule written through the API may lack fields; the console
 * shows and edits it with the schema's defaults filled in.
 */
export function normalizeRule(raw: unknown): Rule {
  const r = (raw ?? {}) as Partial<Rule>;
  const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
  return {
    id: typeof r.id === "string" ? r.id : newRuleId(),
    name: typeof r.name === "string" ? r.name : "",
    effect: r.effect === "forbid" ? "forbid" : "permit",
    mode: r.mode === "shadow" ? "shadow" : "enforce",
    agents: list(r.agents),
    groups: list(r.groups),
    tool: typeof r.tool === "string" ? r.tool : "",
    operations: list(r.operations),
    resources: list(r.resources),
    constraints: list(r.constraints),
    destinations: list(r.destinations),
    timeWindow: r.timeWindow ?? null,
    approval: r.approval && typeof r.approval === "object" && "tier" in r.approval ? r.approval : { tier: "autonomous" },
    cedar: typeof r.cedar === "string" ? r.cedar : "",
  };
}

export const DAY_SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export const RISK_LABEL: Record<RiskClass, string> = {
  read: "Read",
  write: "Write",
  delete: "Delete data",
  money: "Move money",
  deploy: "Deploy code",
  identity: "Change identities",
};

export const CAPABILITY_QUESTION: Record<Capability, string> = {
  read: "read data",
  write: "change data",
  delete: "delete data",
  deploy: "deploy code",
  money: "move money",
  identity: "change identities",
};

export const TIER_LABEL: Record<ApprovalTier, string> = {
  autonomous: "Autonomous",
  threshold: "Approval above a threshold",
  always: "Always approval",
  two_person: "Two-person approval",
};

export const OUTCOME_LABEL: Record<Outcome, string> = { allow: "allow", deny: "deny", pending_approval: "approval" };

export const CONSTRAINT_LABEL: Record<Constraint["op"], string> = {
  equals: "equals",
  one_of: "one of",
  range: "in range",
  max: "at most",
  pattern: "matches pattern",
  forbidden: "must be absent",
};

const quote = (v: unknown) => (typeof v === "string" ? `"${v}"` : String(v));

export function constraintText(c: Constraint): string {
  switch (c.op) {
    case "equals":
      return `${c.arg} = ${quote(c.value)}`;
    case "one_of":
      return `${c.arg} ∈ {${c.values.map(quote).join(", ")}}`;
    case "range":
      return `${c.min} ≤ ${c.arg} ≤ ${c.max}`;
    case "max":
      return `${c.arg} ≤ ${c.value}`;
    case "pattern":
      return `${c.arg} ~ ${c.glob}`;
    case "forbidden":
      return `no ${c.arg}`;
  }
}

/** Mon–Fri for a contiguous run of days, else a list. */
export function daysText(days: number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return "every day";
  const contiguous = sorted.length > 2 && sorted.every((d, i) => i === 0 || d === sorted[i - 1]! + 1);
  return contiguous ? `${DAY_SHORT[sorted[0]!]}–${DAY_SHORT[sorted[sorted.length - 1]!]}` : sorted.map((d) => DAY_SHORT[d]).join(", ");
}

export function timeWindowText(w: TimeWindow): string {
  return `${daysText(w.days)} ${w.start}–${w.end} UTC`;
}

/** Each condition of a rule as one short phrase, in the order Cedar checks them. */
export function conditionTexts(rule: Rule): string[] {
  const out: string[] = [];
  if (rule.resources.length) out.push(`resource ~ ${rule.resources.join(" | ")}`);
  for (const c of rule.constraints) out.push(constraintText(c));
  for (const d of rule.destinations) out.push(`${d.arg} host ~ ${d.hosts.join(" | ")}`);
  if (rule.timeWindow) out.push(timeWindowText(rule.timeWindow));
  if (rule.cedar.trim()) out.push("+ Cedar condition");
  return out;
}

export function approvalText(a: Approval): string {
  if (a.tier === "autonomous") return "autonomous";
  const extras = [
    a.groups?.length ? `signed by ${a.groups.join(" & ")}` : "",
    a.escalateAfterMinutes && a.escalateTo ? `escalates to ${a.escalateTo} after ${a.escalateAfterMinutes} min` : "",
  ].filter(Boolean);
  return extras.length ? `${tierText(a)}, ${extras.join(", ")}` : tierText(a);
}

function tierText(a: Approval): string {
  switch (a.tier) {
    case "autonomous":
      return "autonomous";
    case "threshold":
      return `approval if ${a.arg} > ${a.above} or not a number`;
    case "always":
      return "always approval";
    case "two_person":
      return "two-person approval";
  }
}

export function whoText(rule: Rule, agentName: (id: string) => string): string {
  if (rule.agents.length === 0 && rule.groups.length === 0) return "All agents";
  return [...rule.agents.map(agentName), ...rule.groups.map((g) => `group ${g}`)].join(", ");
}

export function operationsText(rule: Rule): string {
  return rule.operations.includes("*") ? `${rule.tool} · all operations` : `${rule.tool} · ${rule.operations.join(", ")}`;
}

/** A rule field's value, short and readable, for diffs. */
export function fieldValueText(field: string, value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (field === "approval") return approvalText(value as Approval);
  if (field === "timeWindow") return timeWindowText(value as TimeWindow);
  if (field === "constraints") return (value as Constraint[]).map(constraintText).join("; ") || "none";
  if (field === "destinations") return (value as Rule["destinations"]).map((d) => `${d.arg} host ~ ${d.hosts.join(" | ")}`).join("; ") || "none";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
  if (typeof value === "string") return value === "" ? "none" : value;
  return JSON.stringify(value);
}

export const FIELD_LABEL: Record<string, string> = {
  name: "name",
  effect: "effect",
  mode: "mode",
  agents: "agents",
  groups: "groups",
  tool: "tool",
  operations: "operations",
  resources: "resources",
  constraints: "argument constraints",
  destinations: "destinations",
  timeWindow: "time window",
  approval: "approval",
  cedar: "Cedar condition",
  conditions: "conditions",
};

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
