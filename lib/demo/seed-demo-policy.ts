/**
 * The demo allowlist of API.md §6, published as Acme's first policy version:
 * refund-bot refunds under 100 USD on its own, above that with one approval; pr-bot reads
 * acme/* and opens pull requests, merging to main needs two approvers; triage-bot reads
 * and comments in Jira and posts only to #support-* channels in Slack. Plus a few limits
 * (quotas and budgets) for the Usage page.
 */
import type { MemberContext } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { publishPolicy, saveDraft } from "@/lib/policy/manage-policy";
import type { RuleInput } from "@/lib/policy/rules";
import { saveQuota } from "@/lib/quotas/manage-quotas";
import type { QuotaInput } from "@/lib/quotas/schemas";

const RULES: RuleInput[] = [
  { id: "r_demo000001", name: "Refund bot: refunds (approval above 100 USD)", agents: ["agt_acme_refund_bot"], tool: "stripe", operations: ["refunds.create"], constraints: [{ op: "max", arg: "amount_cents", value: 1_000_000 }], approval: { tier: "threshold", arg: "amount_cents", above: 10_000, expiresInMinutes: 60 } },
  { id: "r_demo000002", name: "Refund bot: look up charges", agents: ["agt_acme_refund_bot"], tool: "stripe", operations: ["charges.retrieve"] },
  { id: "r_demo000003", name: "PR bot: read acme repositories", agents: ["agt_acme_pr_bot"], tool: "github", operations: ["repos.get"], resources: ["acme/*"] },
  { id: "r_demo000004", name: "PR bot: open pull requests", agents: ["agt_acme_pr_bot"], tool: "github", operations: ["pulls.create"], resources: ["acme/*"] },
  { id: "r_demo000005", name: "PR bot: merge to main (two approvers)", agents: ["agt_acme_pr_bot"], tool: "github", operations: ["pulls.merge"], resources: ["acme/*"], constraints: [{ op: "equals", arg: "base", value: "main" }], approval: { tier: "two_person", expiresInMinutes: 240 } },
  { id: "r_demo000006", name: "Triage bot: read and comment on tickets", agents: ["agt_acme_triage_bot"], tool: "jira", operations: ["issues.get", "issues.comment"] },
  { id: "r_demo000007", name: "Triage bot: post to support channels only", agents: ["agt_acme_triage_bot"], tool: "slack", operations: ["chat.postMessage"], constraints: [{ op: "pattern", arg: "channel", glob: "#support-*" }] },
];

/** Demo limits, generous enough for `npm run demo:agents`, so the Usage page has something to show. */
const LIMITS: QuotaInput[] = [
  { name: "refunds_per_day", scope: "agent", scopeRef: "agt_acme_refund_bot", metric: "operation_calls", tool: "stripe", operation: "refunds.create", window: "day", limit: 500, onExceed: "approval" },
  { name: "writes_per_minute", scope: "agent", metric: "writes", window: "minute", limit: 120 },
  { name: "spend_per_month", scope: "tenant", metric: "spend_usd", window: "month", limit: 2_500, onExceed: "approval" },
  { name: "tokens_per_run", scope: "tenant", metric: "tokens", window: "run", limit: 500_000 },
];

const TENANT_ID = "ten_demo_acme";

export async function demoAdmin(): Promise<MemberContext> {
  const admin = await db().user.findUniqueOrThrow({ where: { email: "admin@acme.test" } });
  return { user: { id: admin.id, email: admin.email, name: admin.name }, role: "admin", tenant: { id: TENANT_ID, slug: "acme", name: "Acme" } };
}

export async function seedDemoLimits(log: (line: string) => void) {
  const existing = await withTenant({ tenantId: TENANT_ID }, (tx) => tx.quota.count({ where: { tenantId: TENANT_ID } }));
  if (existing > 0) return;
  const actor = await demoAdmin();
  for (const request of LIMITS) await saveQuota({ actor, request });
  log(`created ${LIMITS.length} demo limits`);
}

export async function seedDemoPolicy(log: (line: string) => void) {
  const tenantId = TENANT_ID;
  const existing = await withTenant({ tenantId }, (tx) => tx.policyVersion.count({ where: { tenantId } }));
  if (existing > 0) return;
  const actor = await demoAdmin();
  const { problems } = await saveDraft({ actor, rules: RULES });
  if (problems.length) throw new Error(`demo policy has problems: ${JSON.stringify(problems)}`);
  const { version } = await publishPolicy({ actor, note: "Demo allowlist" });
  log(`published demo policy version ${version}`);
}
