// The shapes of the console's policy routes, declared here because client code never
// imports lib/ services (see eslint.config.mjs). Keep in step with lib/policy/*.
import type { Rule } from "@/lib/policy/rules";

export type { Rule };
export type Constraint = Rule["constraints"][number];
export type ConstraintOp = Constraint["op"];
export type Approval = Rule["approval"];
export type ApprovalTier = Approval["tier"];
export type TimeWindow = NonNullable<Rule["timeWindow"]>;

export type RiskClass = "read" | "write" | "delete" | "money" | "deploy" | "identity";
export type Outcome = "allow" | "deny" | "pending_approval";

/** lib/policy/diff-rules.ts */
export type RuleChange =
  | { kind: "added"; rule: Rule }
  | { kind: "removed"; rule: Rule }
  | { kind: "changed"; before: Rule; after: Rule; fields: { field: string; before: unknown; after: unknown }[] };

/** lib/policy/validate-rules.ts: `ruleId` null when Cedar could not attribute it to a rule. */
export type RuleProblem = { ruleId: string | null; field: string; message: string };

export type VersionRow = { version: number; summary: string; publishedAt: string; publishedBy: string };

/** GET /api/console/t/[tenant]/policy (lib/policy/manage-policy.ts getPolicy). */
export type PolicyState = {
  draft: Rule[];
  draftUpdatedAt: string | null;
  published: { version: number; rules: Rule[]; cedar: string; publishedAt: string } | null;
  changes: RuleChange[];
  versions: VersionRow[];
};

/** GET …/policy/versions/[version] (getPolicyVersion). */
export type PolicyVersion = {
  version: number;
  summary: string;
  publishedAt: string;
  cedar: string;
  rules: Rule[];
  changes: RuleChange[];
  previousCedar: string;
};

/** GET …/policy/registry (lib/policy/registry-for-editor.ts); `type` is the Cedar type: Long, String, Boolean, Set<…>. */
export type RegistryArg = { name: string; type: string };
export type RegistryOperation = { name: string; riskClass: RiskClass; reversible: boolean; args: RegistryArg[] };
export type RegistryTool = { name: string; displayName: string; operations: RegistryOperation[] };
export type RegistryAgent = { id: string; name: string; labels: string[] };
export type Registry = { tools: RegistryTool[]; agents: RegistryAgent[]; groups: string[] };

export type Reason = { code: string; message: string; details?: unknown };

/** POST …/policy/backtest (lib/policy/backtest-draft.ts). */
export type BacktestExample = {
  decisionId: string;
  runId: string;
  at: string;
  args: Record<string, unknown>;
  resource: { type: string; id: string } | null;
  recorded: Outcome;
  before: Reason[];
  after: Reason[];
};
export type BacktestChange = {
  agentId: string;
  agentName: string;
  tool: string;
  operation: string;
  transition: `${Outcome}->${Outcome}`;
  count: number;
  examples: BacktestExample[];
};
export type BacktestResult = {
  days: number;
  evaluated: number;
  skipped: number;
  truncated: boolean;
  changed: number;
  totals: { allowedToDenied: number; deniedToAllowed: number; newlyNeedingApproval: number; noLongerNeedingApproval: number };
  changes: BacktestChange[];
};

/** GET …/policy/capabilities (lib/policy/capability-report.ts). */
/** The dangerous risk classes the report covers (today delete, deploy, money, identity). */
export type Capability = RiskClass;
export type Grant = {
  agentId: string;
  agentName: string;
  agentStatus: string;
  capability: Capability;
  tool: string;
  operation: string;
  ruleId: string;
  ruleName: string;
  approval: ApprovalTier;
  conditional: boolean;
  restrictedBy: string[];
  /** Whether the grant's tool is called through the gateway with a vaulted credential. */
  coverage: "enforced" | "advisory";
};
export type CapabilityReport = { version: number | null; capabilities: Capability[]; grants: Grant[]; agents: { agentId: string; coverage: "enforced" | "advisory" }[] };
