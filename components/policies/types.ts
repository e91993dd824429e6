// The console's policy shapes, as the routes answer them (components/api.ts derives them
// from the route modules, so they cannot drift from lib/policy/*). Rules themselves are
// the schema's type (lib/policy/rules.ts), which the draft PUT accepts.
import type { ConsoleAnswer } from "@/components/api";
import type { Rule } from "@/lib/policy/rules";

export type { Rule };
export type Constraint = Rule["constraints"][number];
export type ConstraintOp = Constraint["op"];
export type Approval = Rule["approval"];
export type ApprovalTier = Approval["tier"];
export type TimeWindow = NonNullable<Rule["timeWindow"]>;

/** GET /api/console/t/[tenant]/policy (lib/policy/manage-policy.ts getPolicy). */
export type PolicyState = ConsoleAnswer<"GET", "/t/[tenant]/policy">;

/** lib/policy/diff-rules.ts */
export type RuleChange = PolicyState["changes"][number];

/** PUT …/policy/draft (lib/policy/validate-rules.ts): `ruleId` null when Cedar could not attribute it to a rule. */
export type RuleProblem = ConsoleAnswer<"PUT", "/t/[tenant]/policy/draft">["problems"][number];

/** GET …/policy/versions/[version] (getPolicyVersion). */
export type PolicyVersion = ConsoleAnswer<"GET", "/t/[tenant]/policy/versions/[version]">;

/** GET …/policy/registry (lib/policy/registry-for-editor.ts); an argument's `type` is the Cedar type: Long, String, Boolean, Set<…>. */
export type Registry = ConsoleAnswer<"GET", "/t/[tenant]/policy/registry">;
export type RegistryArg = Registry["tools"][number]["operations"][number]["args"][number];
export type RiskClass = Registry["tools"][number]["operations"][number]["riskClass"];

/** POST …/policy/backtest (lib/policy/backtest-draft.ts). */
export type BacktestResult = ConsoleAnswer<"POST", "/t/[tenant]/policy/backtest">;
export type BacktestChange = BacktestResult["changes"][number];
export type Reason = BacktestChange["examples"][number]["before"][number];
export type Outcome = BacktestChange["examples"][number]["recorded"];

/** GET …/policy/capabilities (lib/policy/capability-report.ts). */
export type CapabilityReport = ConsoleAnswer<"GET", "/t/[tenant]/policy/capabilities">;
/** The dangerous risk classes the report covers (today delete, deploy, money, identity). */
export type Capability = CapabilityReport["capabilities"][number];
/** `coverage`: whether the grant's tool is called through the gateway with a vaulted credential. */
export type Grant = CapabilityReport["grants"][number];
