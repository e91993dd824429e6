/**
 * The policy engine: per tenant, the published rules, the tool registry (with compiled
 * argument validators) and tool kill switches, held in memory; per (agent, operation), a
 * small preparsed Cedar policy set holding only the rules that can apply. Evaluating a
 * decision touches no database. Publishing, a registry change or a tool kill switch
 * invalidates a tenant over the same Redis channel as agent auth state (and with its
 * safety rule: while the channel is down nothing is cached).
 */
import { createHash } from "node:crypto";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { ErrorObject } from "ajv";
import { TenantCache } from "@/lib/agents/tenant-cache";
import type { RiskClass } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { logger } from "@/lib/logger";
import { argsChecker, type ArgsChecker } from "@/lib/tools/args-schema";
import { NS, actionId, compileRules, contextNeeds } from "./compile-rules";
import { requestContext } from "./cedar-schema";
import { rulesSchema, ruleAppliesTo, ruleCoversOperation, type Rule } from "./rules";

export type Reason = { code: string; message: string; details?: unknown };

type Operation = {
  tool: string;
  name: string;
  riskClass: RiskClass;
  reversible: boolean;
  argsSchema: unknown;
  /** Compiled when the operation is first called (`checkerOf`): most of a large catalogue never is. */
  checker?: ArgsChecker;
};

type Slice = { enforceId: string | null; combinedId: string | null; rules: Map<string, Rule>; needs: ReturnType<typeof contextNeeds> };

export type TenantPolicy = {
  tenantId: string;
  version: number | null;
  /** Names the rule set in preparsed Cedar set ids: "v<version>", or a hash for drafts. */
  rulesKey: string;
  rules: Rule[];
  tools: Set<string>;
  operations: Map<string, Operation>;
  killedTools: Map<string, string>; // tool → reason
  slices: Map<string, Slice>;
};

const REGISTRY_TTL_MS = 30_000; // registry edits are also picked up within this, published or not

const checkerOf = (op: Operation): ArgsChecker => (op.checker ??= argsChecker(op.argsSchema));

export async function loadTenantPolicy(tenantId: string, version?: number): Promise<TenantPolicy> {
  return withTenant({ tenantId }, async (tx) => {
    const [published, tools, kills] = await Promise.all([
      version === undefined
        ? tx.policyVersion.findFirst({ where: { tenantId }, orderBy: { version: "desc" } })
        : tx.policyVersion.findFirst({ where: { tenantId, version } }),
      tx.tool.findMany({ where: { tenantId }, include: { operations: true } }),
      tx.killSwitch.findMany({ where: { tenantId, scope: "tool", liftedAt: null } }),
    ]);
    const operations = new Map<string, Operation>();
    for (const tool of tools) {
      for (const op of tool.operations) {
        operations.set(actionId(tool.name, op.name), { tool: tool.name, name: op.name, riskClass: op.riskClass, reversible: op.reversible, argsSchema: op.argsSchema });
      }
    }
    return {
      tenantId,
      version: published?.version ?? null,
      rulesKey: `v${published?.version ?? 0}`,
      rules: published ? rulesSchema.parse(published.rules) : [],
      tools: new Set(tools.map((t) => t.name)),
      operations,
      killedTools: new Map(kills.map((k) => [k.target ?? "", k.reason])),
      slices: new Map(),
    };
  });
}

type PolicyCache = TenantCache<TenantPolicy>;

const globalCache = globalThis as unknown as { gatehousePolicyCache?: PolicyCache };
/** The tenant's policy; `invalidate` reloads it everywhere (publish, rollback, registry, tool kill switch). */
export const policyCache = (globalCache.gatehousePolicyCache ??= new TenantCache({ kinds: ["policy", "tenant"], ttlMs: REGISTRY_TTL_MS, load: (tenantId) => loadTenantPolicy(tenantId) }));

function preparse(id: string, rules: Rule[]): string | null {
  if (rules.length === 0) return null;
  const answer = cedar.preparsePolicySet(id, { staticPolicies: compileRules(rules, { forSlice: true }) });
  if (answer.type !== "success") {
    // Published rules were validated; this is a bug or a hand-edited row. Fail closed.
    logger.error("policy set failed to parse", { id, errors: answer.errors.map((e) => e.message) });
    throw new Error(`policy set ${id} failed to parse`);
  }
  return id;
}

function sliceFor(policy: TenantPolicy, agent: { id: string; labels: string[] }, tool: string, operation: string): Slice {
  const labelsKey = [...agent.labels].sort().join(",");
  const key = `${agent.id}|${labelsKey}|${actionId(tool, operation)}`;
  let slice = policy.slices.get(key);
  if (!slice) {
    const rules = policy.rules.filter((r) => ruleAppliesTo(r, agent) && ruleCoversOperation(r, tool, operation));
    const enforced = rules.filter((r) => r.mode === "enforce");
    const digest = createHash("sha256").update(`${policy.tenantId}|${policy.rulesKey}|${key}`).digest("base64url").slice(0, 22);
    // Rules are filtered to this agent and operation here, so their Cedar drops the principal and action scopes.
    slice = {
      enforceId: preparse(`${digest}.e`, enforced),
      combinedId: rules.length > enforced.length ? preparse(`${digest}.c`, rules) : null,
      rules: new Map(rules.map((r) => [r.id, r])),
      needs: contextNeeds(rules),
    };
    policy.slices.set(key, slice);
  }
  return slice;
}

export type Evaluation = {
  outcome: "allow" | "deny" | "pending_approval";
  reasons: Reason[];
  policyVersion: number | null;
  matchedRules: string[];
  approval?: {
    required: number;
    ruleId: string;
    ruleName: string;
    expiresInMinutes: number;
    message: string;
    /** Approver groups that must all sign: the union over every matched rule that needs approval. */
    groups?: string[];
    /** From the strictest rule: notify `escalateTo` when still unanswered after this long. */
    escalateAfterMinutes?: number;
    escalateTo?: string;
  };
  shadow?: { outcome: "allow" | "deny" | "pending_approval"; matchedRules: string[] };
  riskClass?: RiskClass;
};

type Action = { agent: { id: string; labels: string[] }; tool: string; operation: string; resource?: { type?: string; id?: string } | null; args: Record<string, unknown>; now?: Date };

function approvalNeeded(rule: Rule, args: Record<string, unknown>): number {
  switch (rule.approval.tier) {
    case "autonomous":
      return 0;
    case "threshold": {
      // Fails closed: a value that is not a number (missing, or sent as text) cannot be
      // compared, and a missing amount may mean all of it (a Stripe refund without one).
      const value = args[rule.approval.arg];
      return isNumber(value) && value <= rule.approval.above ? 0 : 1;
    }
    case "always":
      return 1;
    case "two_person":
      return 2;
  }
}

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

type Context = Record<string, unknown>;

/**
 * Only what the slice's rules read crosses into wasm: serializing the request is most of
 * a Cedar call's cost. Who and which action are settled by the slice (see sliceFor).
 */
function sliceContext(needs: Slice["needs"], full: ReturnType<typeof requestContext>): Context {
  const context: Context = {};
  context.args = needs.args === "all" ? full.args : Object.fromEntries([...needs.args].filter((a) => a in full.args).map((a) => [a, full.args[a]]));
  if (needs.hosts) context.hosts = full.hosts;
  if (needs.resource) {
    context.resource_type = full.resource_type;
    context.resource_id = full.resource_id;
  }
  if (needs.time) {
    context.weekday = full.weekday;
    context.minute_of_day = full.minute_of_day;
  }
  return context;
}

function runCedar(setId: string, action: Action, context: Context) {
  const answer = cedar.statefulIsAuthorized({
    principal: { type: `${NS}::Agent`, id: action.agent.id },
    action: { type: `${NS}::Action`, id: actionId(action.tool, action.operation) },
    resource: { type: `${NS}::Resource`, id: action.resource?.id ?? "" },
    context: context as cedar.Context,
    preparsedPolicySetId: setId,
    entities: [],
  });
  if (answer.type !== "success") throw new Error(`cedar evaluation failed: ${answer.errors.map((e) => e.message).join("; ")}`);
  return answer.response;
}

/** Cedar's answer for one slice, turned into Gatehouse's outcome and reasons. */
function decide(slice: Slice, setId: string | null, action: Action, context: Context): Omit<Evaluation, "policyVersion" | "shadow" | "riskClass"> {
  if (!setId) return { outcome: "deny", matchedRules: [], reasons: [{ code: "no_matching_allow_rule", message: `No rule allows ${action.tool} ${action.operation} for this agent.` }] };
  const response = runCedar(setId, action, context);
  const erroredForbids = response.diagnostics.errors.filter((e) => slice.rules.get(e.policyId)?.effect === "forbid");
  if (erroredForbids.length) {
    // A forbid rule that cannot be evaluated must not let the action through.
    return { outcome: "deny", matchedRules: erroredForbids.map((e) => e.policyId), reasons: [{ code: "policy_error", message: "A forbid rule could not be evaluated for these arguments.", details: erroredForbids.map((e) => ({ rule: e.policyId, error: e.error.message })) }] };
  }
  const matched = response.diagnostics.reason;
  if (response.decision === "deny") {
    const forbids = matched.map((id) => slice.rules.get(id)).filter((r): r is Rule => r?.effect === "forbid");
    if (forbids.length) return { outcome: "deny", matchedRules: forbids.map((r) => r.id), reasons: forbids.map((r) => ({ code: "forbidden_by_rule", message: `Forbidden by rule "${r.name}".`, details: { rule: r.id } })) };
    return { outcome: "deny", matchedRules: [], reasons: [{ code: "no_matching_allow_rule", message: `No rule allows this ${action.tool} ${action.operation} call with these arguments.` }] };
  }
  // Allowed: the strictest approval tier among the permit rules that matched wins (most
  // approvers, then most groups); the groups of every matched rule that needs approval add up.
  let strictest: { rule: Rule; required: number } | null = null;
  const groups = new Set<string>();
  const groupCount = (rule: Rule) => ("groups" in rule.approval ? (rule.approval.groups?.length ?? 0) : 0);
  for (const id of matched) {
    const rule = slice.rules.get(id);
    if (!rule) continue;
    const required = approvalNeeded(rule, action.args);
    if (required > 0 && "groups" in rule.approval) for (const g of rule.approval.groups ?? []) groups.add(g);
    if (!strictest || required > strictest.required || (required === strictest.required && required > 0 && groupCount(rule) > groupCount(strictest.rule))) strictest = { rule, required };
  }
  if (strictest && strictest.required > 0) {
    const a = strictest.rule.approval;
    const signers = groups.size ? ` signed by ${[...groups].join(" and ")}` : "";
    const message =
      a.tier === "threshold"
        ? `Rule "${strictest.rule.name}" requires approval${signers} when ${a.arg} is above ${a.above}${isNumber(action.args[a.arg]) ? "" : ` or not a number, as in this call`}.`
        : a.tier === "two_person"
          ? `Rule "${strictest.rule.name}" requires two approvers${signers}.`
          : `Rule "${strictest.rule.name}" requires approval${signers}.`;
    return {
      outcome: "pending_approval",
      matchedRules: matched,
      reasons: [{ code: "approval_required", message, details: { rule: strictest.rule.id } }],
      approval: {
        required: strictest.required,
        ruleId: strictest.rule.id,
        ruleName: strictest.rule.name,
        expiresInMinutes: "expiresInMinutes" in a ? a.expiresInMinutes : 60,
        message,
        ...(groups.size ? { groups: [...groups] } : {}),
        ...(a.tier !== "autonomous" && a.escalateAfterMinutes && a.escalateTo ? { escalateAfterMinutes: a.escalateAfterMinutes, escalateTo: a.escalateTo } : {}),
      },
    };
  }
  return { outcome: "allow", matchedRules: matched, reasons: [{ code: "allowed_by_rule", message: `Allowed by ${matched.map((id) => `"${slice.rules.get(id)?.name ?? id}"`).join(", ")}.` }] };
}

const formatAjvErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => ({ path: e.instancePath || "(root)", message: e.message ?? "invalid", ...(e.params && Object.keys(e.params).length ? { params: e.params } : {}) }));

/** The same registry with other rules (a draft): for backtests. */
export function withRules(policy: TenantPolicy, rules: Rule[], opts: { ignoreKillSwitches?: boolean } = {}): TenantPolicy {
  return {
    ...policy,
    rules,
    rulesKey: `d${createHash("sha256").update(JSON.stringify(rules)).digest("base64url").slice(0, 16)}`,
    killedTools: opts.ignoreKillSwitches ? new Map() : policy.killedTools,
    slices: new Map(),
  };
}

/** Evaluates one proposed action against a tenant policy snapshot (no I/O). */
export function evaluate(policy: TenantPolicy, action: Action): Evaluation {
  const base = { policyVersion: policy.version };
  const killed = policy.killedTools.get(action.tool);
  if (killed !== undefined) return { ...base, outcome: "deny", matchedRules: [], reasons: [{ code: "tool_killed", message: `Every call to ${action.tool} is stopped by a kill switch: ${killed}` }] };
  if (!policy.tools.has(action.tool)) return { ...base, outcome: "deny", matchedRules: [], reasons: [{ code: "unknown_tool", message: `No tool named ${action.tool} is registered.` }] };
  const op = policy.operations.get(actionId(action.tool, action.operation));
  if (!op) return { ...base, outcome: "deny", matchedRules: [], reasons: [{ code: "unknown_operation", message: `${action.tool} has no operation ${action.operation}.` }] };
  const { validate, error } = checkerOf(op);
  if (!validate) return { ...base, outcome: "deny", matchedRules: [], riskClass: op.riskClass, reasons: [{ code: "invalid_args", message: `The registered argument schema of ${action.operation} does not compile: ${error}` }] };
  if (!validate(action.args)) {
    return { ...base, outcome: "deny", matchedRules: [], riskClass: op.riskClass, reasons: [{ code: "invalid_args", message: `The arguments do not match the schema of ${action.tool} ${action.operation}.`, details: formatAjvErrors(validate.errors) }] };
  }
  const slice = sliceFor(policy, action.agent, action.tool, action.operation);
  const context = sliceContext(slice.needs, requestContext({ args: action.args, resource: action.resource, now: action.now ?? new Date() }));
  const enforced = decide(slice, slice.enforceId, action, context);
  const result: Evaluation = { ...base, ...enforced, riskClass: op.riskClass };
  if (slice.combinedId) {
    const withShadow = decide(slice, slice.combinedId, action, context);
    if (withShadow.outcome !== enforced.outcome) result.shadow = { outcome: withShadow.outcome, matchedRules: withShadow.matchedRules };
  }
  return result;
}
