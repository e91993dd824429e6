import { describe, expect, it } from "vitest";
import type { MemberContext } from "@/lib/auth/member";
import type { Prisma } from "@/lib/db/generated/client";
import type { Role } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { decideAction } from "@/lib/decisions/decide-action";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { createUser, uniq } from "@/lib/testing/factories";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { getApprovalRequest } from "./get-approval-request";
import { listApprovalQueue } from "./list-approval-queue";
import { approvalQueueQuery } from "./schemas";
import { voteOnApproval } from "./vote-on-approval";

type Ctx = Awaited<ReturnType<typeof createPolicyTenant>>;

async function addMember(ctx: Ctx, role: Role): Promise<MemberContext> {
  const user = await createUser();
  await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.membership.create({ data: { tenantId: ctx.tenant.id, userId: user.id, role } }));
  return { user: { id: user.id, email: user.email, name: user.name }, role, tenant: { id: ctx.tenant.id, slug: ctx.tenant.slug, name: ctx.tenant.name } };
}

const MIN = 60_000;

async function addApproval(
  ctx: Ctx,
  fields: { tool: string; operation: string; expiresInMs: number; agentId?: string; status?: "pending" | "approved" | "denied"; decidedAgoMs?: number; args?: Prisma.InputJsonObject; required?: number },
) {
  const id = newId("apr");
  const now = Date.now();
  await withTenant({ tenantId: ctx.tenant.id }, (tx) =>
    tx.approval.create({
      data: {
        id,
        tenantId: ctx.tenant.id,
        agentId: fields.agentId ?? ctx.agent.id,
        runExternalId: `run_${uniq()}`,
        decisionId: newId("dec"),
        actionHash: uniq(),
        action: { tool: fields.tool, operation: fields.operation, resource: null, args: fields.args ?? { n: 1 } },
        reason: "needs a human",
        requiredApprovals: fields.required ?? 1,
        status: fields.status ?? "pending",
        expiresAt: new Date(now + fields.expiresInMs),
        decidedAt: fields.decidedAgoMs === undefined ? null : new Date(now - fields.decidedAgoMs),
      },
    }),
  );
  return id;
}

const list = (ctx: Ctx, viewer: MemberContext, query: Record<string, string> = {}) =>
  listApprovalQueue({ tenantId: ctx.tenant.id, viewer: { userId: viewer.user.id, role: viewer.role }, query: approvalQueueQuery.parse(query) });

const codeOf = async (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof AppError ? e.code : String(e)));

describe("approvals queue", () => {
  it("orders pending requests by time to expiry, then risk (money, deploy, delete, identity first), and settles expired ones", async () => {
    const ctx = await createPolicyTenant();
    const approver = await addMember(ctx, "approver");
    // Same expiry for four of them: the risk class of the operation breaks the tie.
    const sameExpiry = 30 * MIN;
    const read = await addApproval(ctx, { tool: "stripe", operation: "charges.retrieve", expiresInMs: sameExpiry });
    const soonWrite = await addApproval(ctx, { tool: "slack", operation: "chat.postMessage", expiresInMs: 10 * MIN });
    const unregistered = await addApproval(ctx, { tool: "stripe", operation: "payouts.create", expiresInMs: sameExpiry });
    const deploy = await addApproval(ctx, { tool: "github", operation: "pulls.merge", expiresInMs: sameExpiry });
    const money = await addApproval(ctx, { tool: "stripe", operation: "refunds.create", expiresInMs: sameExpiry });
    // Align the four expiries exactly (they were created a few ms apart).
    await withTenant({ tenantId: ctx.tenant.id }, async (tx) => {
      const at = new Date(Date.now() + sameExpiry);
      await tx.approval.updateMany({ where: { id: { in: [read, unregistered, deploy, money] } }, data: { expiresAt: at } });
    });
    const expired = await addApproval(ctx, { tool: "stripe", operation: "refunds.create", expiresInMs: -1000 });
    const approved = await addApproval(ctx, { tool: "stripe", operation: "refunds.create", expiresInMs: MIN, status: "approved", decidedAgoMs: 60_000 });
    const denied = await addApproval(ctx, { tool: "github", operation: "pulls.merge", expiresInMs: MIN, status: "denied", decidedAgoMs: 30_000 });

    const pending = await list(ctx, approver);
    expect(pending.items.map((i) => i.id)).toEqual([soonWrite, money, deploy, unregistered, read]);
    expect(pending.items.map((i) => i.riskClass)).toEqual(["write", "money", "deploy", null, "read"]);
    expect(pending.counts).toEqual({ pending: 5, approved: 1, denied: 1, expired: 1, cancelled: 0, decided: 3 });
    expect(pending.total).toBe(5);
    expect(pending.items[1]).toMatchObject({ agent: { id: ctx.agent.id, name: ctx.agent.name }, tool: "stripe", operation: "refunds.create", argsPreview: "n=1", approvals: 0, requiredApprovals: 1 });

    // The request past its expiry was settled as expired (expiry means denied) when read.
    const settled = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findUniqueOrThrow({ where: { id: expired } }));
    expect(settled.status).toBe("expired");

    // History: most recently decided first; expiry counts as decided at the expiry.
    const decided = await list(ctx, approver, { status: "decided" });
    expect(decided.items.map((i) => i.id)).toEqual([expired, denied, approved]);
    expect((await list(ctx, approver, { status: "denied" })).items.map((i) => i.id)).toEqual([denied]);

    // Pages of the same order.
    const page2 = await list(ctx, approver, { pageSize: "2", page: "2" });
    expect(page2.items.map((i) => i.id)).toEqual([deploy, unregistered]);
    expect(page2.total).toBe(5);
  });

  it("filters by agent, tool and risk class, with counts under the same filters", async () => {
    const ctx = await createPolicyTenant();
    const approver = await addMember(ctx, "approver");
    const other = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.agent.create({ data: { id: newId("agt"), tenantId: ctx.tenant.id, name: `other-${uniq()}`, ownerId: ctx.owner.user.id } }));
    const refund = await addApproval(ctx, { tool: "stripe", operation: "refunds.create", expiresInMs: 20 * MIN });
    const merge = await addApproval(ctx, { tool: "github", operation: "pulls.merge", expiresInMs: 10 * MIN, agentId: other.id });
    const oldMerge = await addApproval(ctx, { tool: "github", operation: "pulls.merge", expiresInMs: MIN, status: "approved", decidedAgoMs: 1000 });

    const byAgent = await list(ctx, approver, { agent: other.id });
    expect(byAgent.items.map((i) => i.id)).toEqual([merge]);
    expect(byAgent.items[0]!.agent.name).toBe(other.name);
    expect(byAgent.counts).toMatchObject({ pending: 1, approved: 0, decided: 0 });

    const byTool = await list(ctx, approver, { tool: "github" });
    expect(byTool.items.map((i) => i.id)).toEqual([merge]);
    expect(byTool.counts).toMatchObject({ pending: 1, approved: 1, decided: 1 });
    expect((await list(ctx, approver, { tool: "github", status: "decided" })).items.map((i) => i.id)).toEqual([oldMerge]);

    const money = await list(ctx, approver, { risk: "money" });
    expect(money.items.map((i) => i.id)).toEqual([refund]);
    expect(money.counts).toMatchObject({ pending: 1, approved: 0 });
    expect((await list(ctx, approver, { risk: "deploy", status: "approved" })).items.map((i) => i.id)).toEqual([oldMerge]);
    expect((await list(ctx, approver, { risk: "read" })).items).toEqual([]);

    // Empty filter values from a form are "no filter"; unknown values are refused.
    expect((await list(ctx, approver, { agent: "", tool: "", risk: "" })).items).toHaveLength(2);
    expect(approvalQueueQuery.safeParse({ risk: "nuclear" }).success).toBe(false);
    expect(approvalQueueQuery.safeParse({ status: "maybe" }).success).toBe(false);
    expect(approvalQueueQuery.safeParse({ pageSize: "500" }).success).toBe(false);
  });

  it("tells each viewer whether they may decide: owner, already voted, role, no longer pending", async () => {
    const ctx = await createPolicyTenant();
    const [first, second, auditor] = [await addMember(ctx, "approver"), await addMember(ctx, "approver"), await addMember(ctx, "auditor")];
    const id = await addApproval(ctx, { tool: "github", operation: "pulls.merge", expiresInMs: 10 * MIN, required: 2 });
    const blocked = async (viewer: MemberContext) => (await list(ctx, viewer)).items.find((i) => i.id === id)?.viewer;

    expect(await blocked(first)).toEqual({ vote: null, ownsAgent: false, blocked: null });
    expect(await blocked(ctx.owner)).toEqual({ vote: null, ownsAgent: true, blocked: "owner" });
    expect(await blocked(auditor)).toEqual({ vote: null, ownsAgent: false, blocked: "role" });
    await voteOnApproval({ actor: first, approvalId: id, verdict: "approve" });
    expect(await blocked(first)).toEqual({ vote: "approve", ownsAgent: false, blocked: "voted" });
    expect((await list(ctx, second)).items[0]).toMatchObject({ id, approvals: 1, votes: 1, requiredApprovals: 2, viewer: { blocked: null } });
    await voteOnApproval({ actor: second, approvalId: id, verdict: "approve" });
    const history = await list(ctx, second, { status: "approved" });
    expect(history.items[0]).toMatchObject({ id, status: "approved", approvals: 2, viewer: { vote: "approve", blocked: "not_pending" } });
  });

  it("never shows another tenant's requests: not in its queue, 404 for the request", async () => {
    const mine = await createPolicyTenant();
    const theirs = await createPolicyTenant();
    const id = await addApproval(theirs, { tool: "stripe", operation: "refunds.create", expiresInMs: 10 * MIN });
    expect((await list(mine, mine.owner)).items).toEqual([]);
    expect((await list(mine, mine.owner)).counts.pending).toBe(0);
    expect(await codeOf(getApprovalRequest({ tenantId: mine.tenant.id, approvalId: id, viewer: { userId: mine.owner.user.id, role: "owner" } }))).toBe("not_found");
    expect(await codeOf(getApprovalRequest({ tenantId: mine.tenant.id, approvalId: "apr_nope", viewer: { userId: mine.owner.user.id, role: "owner" } }))).toBe("not_found");
    expect((await getApprovalRequest({ tenantId: theirs.tenant.id, approvalId: id, viewer: { userId: theirs.owner.user.id, role: "owner" } })).id).toBe(id);
  });
});

describe("approval request page data", () => {
  it("shows the exact action, agent and owner, rule and triggering field, previous call diff, run so far, context and votes", async () => {
    const ctx = await createPolicyTenant();
    const approver = await addMember(ctx, "approver");
    const other = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.agent.create({ data: { id: newId("agt"), tenantId: ctx.tenant.id, name: `other-${uniq()}`, ownerId: ctx.owner.user.id } }));
    const refunds = rule({ name: "Refunds: above 100 USD ask a human", tool: "stripe", operations: ["refunds.create"], approval: { tier: "threshold", arg: "amount_cents", above: 10_000 } });
    const published = await publishRules(ctx.owner, [refunds, rule({ tool: "stripe", operations: ["charges.retrieve"] })]);

    const runId = `run_${uniq()}`;
    const t0 = Date.now() - 10 * MIN;
    const decisionRow = (over: { id?: string; agentId?: string; run?: string; operation?: string; args?: Prisma.InputJsonObject; at: number; outcome?: "allow" | "deny" | "pending_approval"; approvalId?: string }) => ({
      id: over.id ?? newId("dec"),
      tenantId: ctx.tenant.id,
      agentId: over.agentId ?? ctx.agent.id,
      runExternalId: over.run ?? runId,
      tool: "stripe",
      operation: over.operation ?? "refunds.create",
      actionHash: uniq(),
      args: over.args ?? {},
      outcome: over.outcome ?? "allow",
      reasons: [{ code: "allowed_by_rule", message: "Allowed." }],
      policyVersion: published.version,
      approvalId: over.approvalId ?? null,
      createdAt: new Date(over.at),
    });
    await withTenant({ tenantId: ctx.tenant.id }, (tx) =>
      tx.decision.createMany({
        data: [
          // The agent's previous refund, in an earlier run: the one to diff against.
          decisionRow({ run: "run_earlier", args: { charge_id: "ch_1", amount_cents: 5_000, reason: "duplicate" }, at: t0 }),
          // Later but not similar: another agent's refund, and this agent's charge lookup.
          decisionRow({ agentId: other.id, run: "run_other", args: { charge_id: "ch_9", amount_cents: 1 }, at: t0 + MIN }),
          decisionRow({ operation: "charges.retrieve", args: { charge_id: "ch_2" }, at: t0 + 2 * MIN }),
        ],
      }),
    );

    const agent = { agentId: ctx.agent.id, tenantId: ctx.tenant.id, name: ctx.agent.name, labels: ctx.agent.labels, jti: uniq(), credentialId: "cred_test" };
    const args = { charge_id: "ch_2", amount_cents: 25_000, reason: "duplicate", currency: "usd" };
    const answer = await decideAction({ agent, request: { run_id: runId, tool: "stripe", operation: "refunds.create", resource: { type: "charge", id: "ch_2" }, args, context: { reason: "Customer charged twice, ticket #88421" } } });
    expect(answer.decision).toBe("pending_approval");
    const approvalId = answer.approval!.id;
    // What the decisions worker writes for this decision.
    await withTenant({ tenantId: ctx.tenant.id }, (tx) =>
      tx.decision.create({ data: decisionRow({ id: answer.decision_id, args, at: Date.now(), outcome: "pending_approval", approvalId }) }),
    );

    const view = (viewer: MemberContext) => getApprovalRequest({ tenantId: ctx.tenant.id, approvalId, viewer: { userId: viewer.user.id, role: viewer.role } });
    const page = await view(approver);
    expect(page).toMatchObject({
      id: approvalId,
      status: "pending",
      agent: { id: ctx.agent.id, name: ctx.agent.name, owner: { id: ctx.owner.user.id, email: ctx.owner.user.email } },
      tool: "stripe",
      operation: "refunds.create",
      registry: { riskClass: "money", reversible: false },
      resource: { type: "charge", id: "ch_2" },
      args,
      context: { reason: "Customer charged twice, ticket #88421" },
      ruleId: refunds.id,
      rule: { id: refunds.id, name: "Refunds: above 100 USD ask a human", approval: { tier: "threshold", arg: "amount_cents", above: 10_000 }, version: published.version },
      triggers: [{ path: ["amount_cents"], value: 25_000, why: "above 10000" }],
      requiredApprovals: 1,
      approvals: 0,
      votes: [],
      viewer: { vote: null, ownsAgent: false, blocked: null },
    });
    expect(page.reason).toContain("requires approval when amount_cents is above 10000");
    expect(new Date(page.expiresAt).getTime() - new Date(page.createdAt).getTime()).toBeGreaterThan(59 * MIN);

    // The previous similar call (same agent, tool and operation) and what changed since.
    expect(page.previous).toMatchObject({ runId: "run_earlier", outcome: "allow", args: { charge_id: "ch_1", amount_cents: 5_000 } });
    // (Postgres keeps JSON keys in its own order, so the order of the changes is not asserted.)
    expect(page.previous!.changes).toHaveLength(3);
    expect(page.previous!.changes).toEqual(
      expect.arrayContaining([
        { path: ["charge_id"], kind: "changed", before: "ch_1", after: "ch_2" },
        { path: ["amount_cents"], kind: "changed", before: 5_000, after: 25_000 },
        { path: ["currency"], kind: "added", after: "usd" },
      ]),
    );

    // The run so far: this agent's decisions in this run, oldest first, this one marked.
    expect(page.run.id).toBe(runId);
    expect(page.run.decisions.map((d) => [d.operation, d.outcome, d.isThis])).toEqual([
      ["charges.retrieve", "allow", false],
      ["refunds.create", "pending_approval", true],
    ]);

    // The owner may look but not decide.
    expect((await view(ctx.owner)).viewer).toEqual({ vote: null, ownsAgent: true, blocked: "owner" });

    await voteOnApproval({ actor: approver, approvalId, verdict: "approve", comment: "Matches the ticket." });
    const decided = await view(approver);
    expect(decided).toMatchObject({ status: "approved", approvals: 1, viewer: { vote: "approve", blocked: "not_pending" } });
    expect(decided.votes).toEqual([{ userId: approver.user.id, email: approver.user.email, name: approver.user.name, verdict: "approve", comment: "Matches the ticket.", at: expect.any(String), groups: [] }]);
    expect(decided.decidedAt).not.toBeNull();
  });

  it("keeps the run timeline to its latest 20 decisions and copes with a rule no longer published", async () => {
    const ctx = await createPolicyTenant();
    const runId = `run_${uniq()}`;
    const base = Date.now() - 60 * MIN;
    const approvalId = newId("apr");
    const decisionId = newId("dec");
    await withTenant({ tenantId: ctx.tenant.id }, async (tx) => {
      await tx.decision.createMany({
        data: Array.from({ length: 25 }, (_, i) => ({
          id: i === 24 ? decisionId : newId("dec"),
          tenantId: ctx.tenant.id,
          agentId: ctx.agent.id,
          runExternalId: runId,
          tool: "slack",
          operation: "chat.postMessage",
          actionHash: uniq(),
          args: { channel: "#support-1", text: `message ${i}` },
          outcome: i === 24 ? ("pending_approval" as const) : ("allow" as const),
          approvalId: i === 24 ? approvalId : null,
          createdAt: new Date(base + i * 1000),
        })),
      });
      await tx.approval.create({
        data: {
          id: approvalId,
          tenantId: ctx.tenant.id,
          agentId: ctx.agent.id,
          runExternalId: runId,
          decisionId,
          actionHash: uniq(),
          action: { tool: "slack", operation: "chat.postMessage", resource: null, args: { channel: "#support-1", text: "message 24" } },
          reason: "Rule \"gone\" requires approval.",
          ruleId: "r_gone000000",
          expiresAt: new Date(Date.now() + 10 * MIN),
          createdAt: new Date(base + 24 * 1000 + 5),
        },
      });
    });
    const page = await getApprovalRequest({ tenantId: ctx.tenant.id, approvalId, viewer: { userId: ctx.owner.user.id, role: "owner" } });
    expect(page.run.decisions).toHaveLength(20);
    expect(page.run.decisions.at(-1)).toMatchObject({ id: decisionId, isThis: true });
    expect(page.run.decisions[0]!.createdAt).toBe(new Date(base + 5000).toISOString());
    expect(page.rule).toBeNull();
    expect(page.ruleId).toBe("r_gone000000");
    expect(page.triggers).toEqual([]);
    // The previous similar call is the latest one before this request.
    expect(page.previous).toMatchObject({ args: { text: "message 23" }, changes: [{ path: ["text"], kind: "changed", before: "message 23", after: "message 24" }] });
  });
});
