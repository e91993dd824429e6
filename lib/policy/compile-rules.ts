import type { Rule } from "./rules";

/**
 * Rules → Cedar. Each rule becomes one policy with the rule id as its policy id:
 *   permit|forbid (principal, action in [...], resource) when { who && what && conditions };
 * The request carries everything in `context`: args (the operation's arguments), hosts
 * (host names of URL arguments), resource_type/resource_id, weekday and minute_of_day
 * (UTC). Attribute access is always guarded with `has`, so a missing argument makes a
 * rule not match rather than error.
 */

export const NS = "Gatehouse";

const str = (s: string) => JSON.stringify(s); // rule strings are free of control characters (rules.ts)
const lit = (v: string | number | boolean) => (typeof v === "string" ? str(v) : String(v));
const arg = (name: string) => `context.args[${str(name)}]`;
const hasArg = (name: string) => `context.args has ${str(name)}`;

/** A glob (`*` any run of characters) as a Cedar `like` pattern: escape Cedar's own metacharacters but `*`. */
function likePattern(glob: string): string {
  return str(glob.replace(/\\/g, "\\\\"));
}

export const actionId = (tool: string, operation: string) => `${tool}/${operation}`;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
}

function conditions(rule: Rule, forSlice: boolean): string[] {
  const out: string[] = [];
  const who = forSlice ? [] : [
    ...rule.agents.map((id) => `principal == ${NS}::Agent::${str(id)}`),
    ...rule.groups.map((g) => `principal in ${NS}::Group::${str(g)}`),
  ];
  if (who.length) out.push(`(${who.join(" || ")})`);
  if (rule.resources.length) out.push(`(${rule.resources.map((p) => `context.resource_id like ${likePattern(p)}`).join(" || ")})`);
  for (const c of rule.constraints) {
    switch (c.op) {
      case "equals":
        out.push(`(${hasArg(c.arg)} && ${arg(c.arg)} == ${lit(c.value)})`);
        break;
      case "one_of":
        out.push(`(${hasArg(c.arg)} && [${c.values.map(lit).join(", ")}].contains(${arg(c.arg)}))`);
        break;
      case "range":
        out.push(`(${hasArg(c.arg)} && ${arg(c.arg)} >= ${c.min} && ${arg(c.arg)} <= ${c.max})`);
        break;
      case "max":
        out.push(`(${hasArg(c.arg)} && ${arg(c.arg)} <= ${c.value})`);
        break;
      case "pattern":
        out.push(`(${hasArg(c.arg)} && ${arg(c.arg)} like ${likePattern(c.glob)})`);
        break;
      case "forbidden":
        out.push(`!(${hasArg(c.arg)})`);
        break;
    }
  }
  for (const d of rule.destinations) {
    const host = `context.hosts[${str(d.arg)}]`;
    out.push(`(context.hosts has ${str(d.arg)} && (${d.hosts.map((h) => `${host} like ${likePattern(h)}`).join(" || ")}))`);
  }
  if (rule.timeWindow) {
    const w = rule.timeWindow;
    out.push(`([${w.days.join(", ")}].contains(context.weekday) && context.minute_of_day >= ${minutes(w.start)} && context.minute_of_day < ${minutes(w.end)})`);
  }
  if (rule.cedar) out.push(`(${rule.cedar})`);
  return out;
}

/**
 * One rule as Cedar. `forSlice` compiles for evaluation inside a slice that already holds
 * only this agent's rules for this one operation: the principal and action scopes are then
 * true by construction and dropped, so requests need no entities (half the cost of a call).
 */
export function compileRule(rule: Rule, opts: { forSlice?: boolean } = {}): string {
  if (opts.forSlice) {
    const when = conditions(rule, true);
    return `${rule.effect} (principal, action, resource)${when.length ? `\nwhen { ${when.join("\n  && ")} }` : ""};`;
  }
  const action = rule.operations.includes("*")
    ? `action in ${NS}::Action::${str(rule.tool)}`
    : `action in [${rule.operations.map((op) => `${NS}::Action::${str(actionId(rule.tool, op))}`).join(", ")}]`;
  const when = conditions(rule, false);
  return `${rule.effect} (principal, ${action}, resource)${when.length ? `\nwhen { ${when.join("\n  && ")} }` : ""};`;
}

/** Policies keyed by rule id, in Cedar's `staticPolicies` record form. */
export function compileRules(rules: Rule[], opts: { forSlice?: boolean } = {}): Record<string, string> {
  return Object.fromEntries(rules.map((r) => [r.id, compileRule(r, opts)]));
}

/** The parts of the request context a set of rules can read (raw Cedar may read anything). */
export function contextNeeds(rules: Rule[]): { args: Set<string> | "all"; hosts: boolean; resource: boolean; time: boolean } {
  if (rules.some((r) => r.cedar)) return { args: "all", hosts: true, resource: true, time: true };
  return {
    args: new Set(rules.flatMap((r) => r.constraints.map((c) => c.arg))),
    hosts: rules.some((r) => r.destinations.length > 0),
    resource: rules.some((r) => r.resources.length > 0),
    time: rules.some((r) => r.timeWindow !== null),
  };
}

/** The whole allowlist as one readable Cedar document (what a version shows and diffs). */
export function cedarDocument(rules: Rule[]): string {
  return rules
    .map((r) => `// ${r.name}${r.mode === "shadow" ? " (shadow: evaluated and recorded, not enforced)" : ""}\n@id(${str(r.id)})\n${compileRule(r)}`)
    .join("\n\n");
}
