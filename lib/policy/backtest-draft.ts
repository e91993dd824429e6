import type { DecisionOutcome } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { evaluate, loadTenantPolicy, withRules, type Evaluation, type Reason } from "./engine";
import { rulesSchema } from "./rules";

const MAX_DECISIONS = 20_000;
const EXAMPLES = 3;

type Outcome = Evaluation["outcome"];
export type Transition = `${Outcome}->${Outcome}`;

/** One recorded action the draft decides differently: its arguments and both sides' reasons. */
type Example = {
  decisionId: string;
  runId: string;
  at: string;
  args: Record<string, unknown>;
  resource: { type: string; id: string } | null;
  recorded: DecisionOutcome;
  before: Reason[];
  after: Reason[];
};

/**
 * Replays the proposed actions of the last `days` days against the published policy and
 * against the draft, and groups what would change by agent, operation and transition
 * (allowed → denied, denied → allowed, newly needing approval…), with examples. Kill
 * switches are ignored on both sides so only the policy change shows.
 */
export async function backtestDraft({ tenantId, days = 30, rules: draftInput }: { tenantId: string; days?: number; rules: unknown }) {
  const draft = rulesSchema.parse(draftInput);
  const since = new Date(Date.now() - days * 24 * 60 * 60 * 1000);
  const [published, decisions, agents] = await Promise.all([
    loadTenantPolicy(tenantId),
    withTenant({ tenantId }, (tx) =>
      tx.decision.findMany({
        where: { tenantId, createdAt: { gte: since } },
        orderBy: { createdAt: "desc" },
        take: MAX_DECISIONS,
        select: { id: true, agentId: true, runExternalId: true, tool: true, operation: true, resource: true, args: true, outcome: true, createdAt: true },
      }),
    ),
    withTenant({ tenantId }, (tx) => tx.agent.findMany({ where: { tenantId }, select: { id: true, name: true, labels: true } })),
  ]);
  const current = withRules(published, published.rules, { ignoreKillSwitches: true });
  const proposed = withRules(published, draft, { ignoreKillSwitches: true });
  const agentById = new Map(agents.map((a) => [a.id, a]));

  type Group = { agentId: string; agentName: string; tool: string; operation: string; transition: Transition; count: number; examples: Example[] };
  const groups = new Map<string, Group>();
  let evaluated = 0;
  let skipped = 0;
  for (const d of decisions) {
    const agent = agentById.get(d.agentId);
    if (!agent || d.args === null) {
      skipped++; // recorded before arguments were kept, or the agent is gone
      continue;
    }
    evaluated++;
    const action = { agent: { id: agent.id, labels: agent.labels }, tool: d.tool, operation: d.operation, resource: d.resource as { type: string; id: string } | null, args: d.args as Record<string, unknown>, now: d.createdAt };
    const before = evaluate(current, action);
    const after = evaluate(proposed, action);
    if (before.outcome === after.outcome) continue;
    const transition = `${before.outcome}->${after.outcome}` as Transition;
    const key = `${agent.id}|${d.tool}|${d.operation}|${transition}`;
    let group = groups.get(key);
    if (!group) {
      group = { agentId: agent.id, agentName: agent.name, tool: d.tool, operation: d.operation, transition, count: 0, examples: [] };
      groups.set(key, group);
    }
    group.count++;
    if (group.examples.length < EXAMPLES) {
      group.examples.push({ decisionId: d.id, runId: d.runExternalId, at: d.createdAt.toISOString(), args: action.args, resource: action.resource, recorded: d.outcome, before: before.reasons, after: after.reasons });
    }
  }
  const changes = [...groups.values()].sort((a, b) => b.count - a.count);
  const count = (t: (g: Group) => boolean) => changes.filter(t).reduce((n, g) => n + g.count, 0);
  return {
    days,
    evaluated,
    skipped,
    truncated: decisions.length === MAX_DECISIONS,
    changed: count(() => true),
    totals: {
      allowedToDenied: count((g) => g.transition === "allow->deny"),
      deniedToAllowed: count((g) => g.transition === "deny->allow"),
      newlyNeedingApproval: count((g) => g.transition.endsWith("->pending_approval")),
      noLongerNeedingApproval: count((g) => g.transition.startsWith("pending_approval->")),
    },
    changes,
  };
}
