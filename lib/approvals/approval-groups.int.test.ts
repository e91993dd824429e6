/**
 * Issue 5, approvals: approver groups (AND), expiry (one audit entry and one timeline
 * event, whoever notices), escalation (once, after the rule's time). Through the real
 * decision path: rules published, decideAction, votes, the worker's sweep.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { MemberContext } from "@/lib/auth/member";
import type { Role } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { decideAction } from "@/lib/decisions/decide-action";
import { AppError } from "@/lib/errors";
import { saveWebhook } from "@/lib/notifications/manage-webhook";
import { closeQueues } from "@/lib/queue/registry";
import { createUser, uniq } from "@/lib/testing/factories";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import type { RuleInput } from "@/lib/policy/rules";
import { getApprovalRequest } from "./get-approval-request";
import { getApprovalStatus } from "./get-approval-status";
import { listApprovalQueue } from "./list-approval-queue";
import { approvalQueueQuery } from "./schemas";
import { sweepApprovals } from "./sweep-approvals";
import { voteOnApproval } from "./vote-on-approval";

afterAll(async () => {
  await closeQueues();
});

type Ctx = Awaited<ReturnType<typeof createPolicyTenant>>;

async function addMember(ctx: Ctx, approverGroups: string[], role: Role = "approver"): Promise<MemberContext> {
  const user = await createUser();
  await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.membership.create({ data: { tenantId: ctx.tenant.id, userId: user.id, role, approverGroups } }));
  return { user: { id: user.id, email: user.email, name: user.name }, role, tenant: { id: ctx.tenant.id, slug: ctx.tenant.slug, name: ctx.tenant.name } };
}

/** A tenant whose only rule lets its agent refund with the given approval tier; returns a pending approval id. */
async function requestWith(approval: RuleInput["approval"], ctx?: Ctx) {
  ctx ??= await createPolicyTenant();
  await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"], approval })]);
  const runId = `run_${uniq()}`;
  const agent = { agentId: ctx.agent.id, tenantId: ctx.tenant.id, name: ctx.agent.name, labels: ctx.agent.labels, jti: uniq(), credentialId: "cred_test" };
  const answer = await decideAction({ agent, request: { run_id: runId, tool: "stripe", operation: "refunds.create", args: { charge_id: "ch_1", amount_cents: 5_000 } } });
  expect(answer.decision).toBe("pending_approval");
  return { ctx, runId, approvalId: answer.approval!.id };
}

const codeOf = async (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof AppError ? e.code : String(e)));

function audit(tenantId: string, action: string, approvalId: string) {
  return withTenant({ tenantId }, (tx) => tx.auditEntry.findMany({ where: { tenantId, action, targetId: approvalId } }));
}

function timeline(tenantId: string, runId: string, type: string) {
  return withTenant({ tenantId }, (tx) => tx.runEvent.findMany({ where: { tenantId, runExternalId: runId, type, source: "server" } }));
}

describe("approver groups (AND)", () => {
  it("security alone does not approve; security and finance do; the request records which group each signed for", async () => {
    const { ctx, runId, approvalId } = await requestWith({ tier: "always", groups: ["security", "finance"] });
    const security = await addMember(ctx, ["security"]);
    const security2 = await addMember(ctx, ["security"]);
    const finance = await addMember(ctx, ["finance"]);

    expect(await voteOnApproval({ actor: security, approvalId, verdict: "approve" })).toMatchObject({ status: "pending", approvals: 1, required: 1, missingGroups: ["finance"] });
    // A second security member still leaves finance missing, though the count is long met.
    expect(await voteOnApproval({ actor: security2, approvalId, verdict: "approve" })).toMatchObject({ status: "pending", missingGroups: ["finance"] });
    const waiting = await getApprovalRequest({ tenantId: ctx.tenant.id, approvalId, viewer: { userId: finance.user.id, role: "approver" } });
    expect(waiting.groups).toEqual([
      { name: "security", signed: true, signedBy: security.user.email },
      { name: "finance", signed: false, signedBy: null },
    ]);
    const queue = await listApprovalQueue({ tenantId: ctx.tenant.id, viewer: { userId: finance.user.id, role: "approver" }, query: approvalQueueQuery.parse({}) });
    expect(queue.items.find((i) => i.id === approvalId)?.groups).toEqual([{ name: "security", signed: true }, { name: "finance", signed: false }]);

    expect(await voteOnApproval({ actor: finance, approvalId, verdict: "approve" })).toMatchObject({ status: "approved", missingGroups: [] });
    expect((await getApprovalStatus({ tenantId: ctx.tenant.id, agentId: ctx.agent.id, approvalId, waitSeconds: 0 }))).toMatchObject({ status: "approved", required_groups: ["security", "finance"] });

    const [decided] = await timeline(ctx.tenant.id, runId, "approval.decided");
    expect(decided?.payload).toMatchObject({ status: "approved", required_groups: ["security", "finance"], signed_groups: { finance: finance.user.id } });
    const [last] = await audit(ctx.tenant.id, "approval.approved_by", approvalId).then((rows) => rows.filter((r) => r.actorId === finance.user.id));
    expect(last?.after).toMatchObject({ status: "approved", voterGroups: ["finance"], missingGroups: [] });
  });

  it("a person in both groups counts once: they sign for one group, so a second person is still needed", async () => {
    const { ctx, approvalId } = await requestWith({ tier: "always", groups: ["security", "finance"] });
    const both = await addMember(ctx, ["security", "finance"]);
    const securityOnly = await addMember(ctx, ["security"]);

    const first = await voteOnApproval({ actor: both, approvalId, verdict: "approve" });
    expect(first.status).toBe("pending");
    expect(first.missingGroups).toHaveLength(1);
    expect(await codeOf(voteOnApproval({ actor: both, approvalId, verdict: "approve" }))).toBe("conflict"); // and only once
    // The security-only member signs for security; the member of both then counts for finance.
    expect(await voteOnApproval({ actor: securityOnly, approvalId, verdict: "approve" })).toMatchObject({ status: "approved", missingGroups: [] });
    const view = await getApprovalRequest({ tenantId: ctx.tenant.id, approvalId, viewer: { userId: both.user.id, role: "approver" } });
    expect(view.groups).toEqual([
      { name: "security", signed: true, signedBy: securityOnly.user.email },
      { name: "finance", signed: true, signedBy: both.user.email },
    ]);
  });

  it("groups add to the count (two-person rule with one group) and the agent's owner still cannot approve, even in a group", async () => {
    const { ctx, approvalId } = await requestWith({ tier: "two_person", groups: ["security"] });
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.membership.updateMany({ where: { tenantId: ctx.tenant.id, userId: ctx.owner.user.id }, data: { approverGroups: ["security"] } }));
    expect(await codeOf(voteOnApproval({ actor: ctx.owner, approvalId, verdict: "approve" }))).toBe("forbidden");
    const plain = await addMember(ctx, []);
    const security = await addMember(ctx, ["security"]);
    expect(await voteOnApproval({ actor: plain, approvalId, verdict: "approve" })).toMatchObject({ status: "pending", approvals: 1, required: 2, missingGroups: ["security"] });
    expect(await voteOnApproval({ actor: security, approvalId, verdict: "approve" })).toMatchObject({ status: "approved", approvals: 2 });
  });

  it("existing rules without groups are unchanged: one approver decides", async () => {
    const { ctx, approvalId } = await requestWith({ tier: "always" });
    const anyone = await addMember(ctx, []);
    expect(await voteOnApproval({ actor: anyone, approvalId, verdict: "approve" })).toMatchObject({ status: "approved", requiredGroups: [], missingGroups: [] });
  });
});

describe("webhook messages", () => {
  it("approval requested, decided, expired and escalated each queue one message naming the groups", async () => {
    const ctx = await createPolicyTenant();
    // Nothing listens there and no worker runs in this file: only the queued rows are checked.
    await saveWebhook({ actor: ctx.owner, webhook: { url: "https://hooks.example.invalid/hook", enabled: true } });
    const { approvalId } = await requestWith({ tier: "always", groups: ["security", "finance"], escalateAfterMinutes: 5, escalateTo: "security-leads" }, ctx);
    const security = await addMember(ctx, ["security"]);
    const finance = await addMember(ctx, ["finance"]);
    await sweepApprovals({ tenantId: ctx.tenant.id, now: new Date(Date.now() + 6 * 60_000) });
    await voteOnApproval({ actor: security, approvalId, verdict: "approve" });
    await voteOnApproval({ actor: finance, approvalId, verdict: "approve", comment: "ok" });
    const second = await requestWith({ tier: "always" }, ctx);
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.update({ where: { id: second.approvalId }, data: { expiresAt: new Date(Date.now() - 1) } }));
    await sweepApprovals({ tenantId: ctx.tenant.id });

    const rows = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.notificationDelivery.findMany({ where: { tenantId: ctx.tenant.id }, orderBy: { createdAt: "asc" } }));
    expect(rows.map((r) => r.kind)).toEqual(["approval.requested", "approval.escalated", "approval.decided", "approval.requested", "approval.expired"]);
    const text = (i: number) => (rows[i]!.payload as { text: string }).text;
    expect(text(0)).toMatch(/Approval requested: .*refunds\.create.*signed by \*security\* and \*finance\*/);
    expect(text(1)).toMatch(/Escalated to \*security-leads\*/);
    expect(text(2)).toContain(`Approved by ${security.user.email}, ${finance.user.email}`);
    expect(rows[2]!.payload).toMatchObject({ gatehouse: { data: { approval_id: approvalId, status: "approved", required_groups: ["security", "finance"] } } });
    expect(text(4)).toMatch(/^Expired \(denied\)/);
  });
});

describe("expiry", () => {
  it("the long poll returns expired; exactly one audit entry and one timeline event, however many notice it", async () => {
    const { ctx, runId, approvalId } = await requestWith({ tier: "always" });
    const member = await addMember(ctx, []);
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.update({ where: { id: approvalId }, data: { expiresAt: new Date(Date.now() + 1_000) } }));

    const started = Date.now();
    const polled = await getApprovalStatus({ tenantId: ctx.tenant.id, agentId: ctx.agent.id, approvalId, waitSeconds: 10 });
    expect(polled?.status).toBe("expired");
    expect(Date.now() - started).toBeLessThan(5_000);

    // Everyone else who looks afterwards, concurrently or not, writes nothing more.
    await Promise.all([
      getApprovalStatus({ tenantId: ctx.tenant.id, agentId: ctx.agent.id, approvalId, waitSeconds: 0 }),
      getApprovalRequest({ tenantId: ctx.tenant.id, approvalId, viewer: { userId: member.user.id, role: "approver" } }),
      listApprovalQueue({ tenantId: ctx.tenant.id, viewer: { userId: member.user.id, role: "approver" }, query: approvalQueueQuery.parse({ status: "decided" }) }),
      sweepApprovals({ tenantId: ctx.tenant.id }),
    ]);
    expect(await codeOf(voteOnApproval({ actor: member, approvalId, verdict: "approve" }))).toBe("conflict");

    const entries = await audit(ctx.tenant.id, "approval.expired", approvalId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorType: "system", before: { status: "pending" }, after: { status: "expired", run: runId } });
    const events = await timeline(ctx.tenant.id, runId, "approval.decided");
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ approval_id: approvalId, status: "expired" });
  });

  it("the worker's sweep expires requests nobody reads, once, concurrently with a late vote", async () => {
    const { ctx, runId, approvalId } = await requestWith({ tier: "always" });
    const member = await addMember(ctx, []);
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.update({ where: { id: approvalId }, data: { expiresAt: new Date(Date.now() - 1_000) } }));
    const [swept, vote, again] = await Promise.all([
      sweepApprovals({ tenantId: ctx.tenant.id }),
      codeOf(voteOnApproval({ actor: member, approvalId, verdict: "approve" })),
      sweepApprovals({ tenantId: ctx.tenant.id }),
    ]);
    expect(vote).toBe("conflict");
    expect(swept.expired.length + again.expired.length).toBeLessThanOrEqual(1);
    const row = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findUniqueOrThrow({ where: { id: approvalId } }));
    expect(row.status).toBe("expired");
    expect(await audit(ctx.tenant.id, "approval.expired", approvalId)).toHaveLength(1);
    expect(await timeline(ctx.tenant.id, runId, "approval.decided")).toHaveLength(1);
    expect(await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approvalVote.count({ where: { approvalId } }))).toBe(0);
  });
});

describe("escalation", () => {
  it("notifies the rule's group once, after the set time, and shows it on the request", async () => {
    const { ctx, runId, approvalId } = await requestWith({ tier: "always", escalateAfterMinutes: 15, escalateTo: "security-leads" });
    const lead = await addMember(ctx, ["security-leads"]);
    const created = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findUniqueOrThrow({ where: { id: approvalId } }));
    expect(created).toMatchObject({ escalateTo: "security-leads", escalatedAt: null });
    expect(created.escalateAt!.getTime() - created.createdAt.getTime()).toBe(15 * 60_000);
    const at = (minutes: number) => new Date(created.createdAt.getTime() + minutes * 60_000);

    expect((await sweepApprovals({ tenantId: ctx.tenant.id, now: at(14) })).escalated).toEqual([]);
    const [first, concurrent] = await Promise.all([sweepApprovals({ tenantId: ctx.tenant.id, now: at(16) }), sweepApprovals({ tenantId: ctx.tenant.id, now: at(16) })]);
    expect([...first.escalated, ...concurrent.escalated]).toEqual([approvalId]);
    expect((await sweepApprovals({ tenantId: ctx.tenant.id, now: at(30) })).escalated).toEqual([]);

    const entries = await audit(ctx.tenant.id, "approval.escalated", approvalId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorType: "system", after: { escalatedTo: "security-leads", notified: [lead.user.email] } });
    const events = await timeline(ctx.tenant.id, runId, "approval.escalated");
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ approval_id: approvalId, escalated_to: "security-leads", notified: [lead.user.email] });

    const view = await getApprovalRequest({ tenantId: ctx.tenant.id, approvalId, viewer: { userId: lead.user.id, role: "approver" } });
    expect(view.status).toBe("pending");
    expect(view.escalation).toMatchObject({ to: "security-leads", escalatedAt: at(16).toISOString() });
  });

  it("does not escalate a request that was answered in time", async () => {
    const { ctx, approvalId } = await requestWith({ tier: "always", escalateAfterMinutes: 1, escalateTo: "security" });
    const member = await addMember(ctx, []);
    await voteOnApproval({ actor: member, approvalId, verdict: "approve" });
    expect((await sweepApprovals({ tenantId: ctx.tenant.id, now: new Date(Date.now() + 5 * 60_000) })).escalated).toEqual([]);
    expect(await audit(ctx.tenant.id, "approval.escalated", approvalId)).toHaveLength(0);
  });

  it("rules refuse half an escalation or one after expiry", async () => {
    const ctx = await createPolicyTenant();
    await expect(publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"], approval: { tier: "always", escalateTo: "security" } })])).rejects.toThrow(/both a time and a group/);
    await expect(publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"], approval: { tier: "always", expiresInMinutes: 10, escalateAfterMinutes: 10, escalateTo: "security" } })])).rejects.toThrow(/before the request expires/);
    await expect(publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"], approval: { tier: "always", groups: ["Security Team"] } })])).rejects.toThrow(/Group names/);
  });
});
