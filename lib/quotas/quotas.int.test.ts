import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { decideAction } from "@/lib/decisions/decide-action";
import type { DecisionRequest } from "@/lib/decisions/schemas";
import { AppError } from "@/lib/errors";
import { getApprovalRequest } from "@/lib/approvals/get-approval-request";
import { voteOnApproval } from "@/lib/approvals/vote-on-approval";
import { saveWebhook } from "@/lib/notifications/manage-webhook";
import { createRedis } from "@/lib/redis";
import { createUser, uniq } from "@/lib/testing/factories";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { getQuotaUsage } from "./get-usage";
import { deleteQuota, saveQuota } from "./manage-quotas";
import { QuotaMeter } from "./meter";
import type { QuotaInput } from "./schemas";
import { settleReportedUsage } from "./settle-usage";

type Ctx = Awaited<ReturnType<typeof createPolicyTenant>>;

/** A tenant whose agent may read charges and post to Slack (writes) without approval. */
async function setup(labels = ["support"]) {
  const ctx = await createPolicyTenant({ labels });
  await publishRules(ctx.owner, [
    rule({ tool: "stripe", operations: ["charges.retrieve"] }),
    rule({ tool: "slack", operations: ["chat.postMessage"] }),
  ]);
  const principal: AgentPrincipal = { agentId: ctx.agent.id, tenantId: ctx.tenant.id, name: ctx.agent.name, labels: ctx.agent.labels, jti: "t", credentialId: "c" };
  return { ...ctx, principal };
}

const read = (run = `run_${uniq()}`): DecisionRequest => ({ run_id: run, tool: "stripe", operation: "charges.retrieve", args: { charge_id: "ch_1" } });
const write = (run = `run_${uniq()}`): DecisionRequest => ({ run_id: run, tool: "slack", operation: "chat.postMessage", args: { channel: "#support-1", text: "hi" } });

const limit = (owner: MemberContext, request: QuotaInput) => saveQuota({ actor: owner, request });

async function addApprover(ctx: Ctx): Promise<MemberContext> {
  const user = await createUser();
  await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.membership.create({ data: { tenantId: ctx.tenant.id, userId: user.id, role: "approver" } }));
  return { user: { id: user.id, email: user.email, name: user.name }, role: "approver", tenant: { id: ctx.tenant.id, slug: ctx.tenant.slug, name: ctx.tenant.name } };
}

describe("quotas", () => {
  it("never lets concurrent decisions past a limit: 200 parallel writes against a limit of 50", async () => {
    const ctx = await setup();
    await limit(ctx.owner, { scope: "agent", scopeRef: ctx.agent.id, metric: "writes", window: "day", limit: 50 });
    const answers = await Promise.all(Array.from({ length: 200 }, () => decideAction({ agent: ctx.principal, request: write() })));
    const allowed = answers.filter((a) => a.decision === "allow");
    expect(allowed).toHaveLength(50);
    expect(answers.filter((a) => a.decision === "deny").every((a) => a.reasons[0]?.code === "quota_exceeded")).toBe(true);
    // The answer lists the limit with what remains, as API.md shows.
    const remaining = allowed.map((a) => a.quota[0]!.remaining).sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(allowed[0]!.quota[0]).toMatchObject({ name: "writes_per_day", limit: 50 });
    expect(new Date(allowed[0]!.quota[0]!.resets_at!).getTime()).toBe(Math.ceil((Date.now() + 1) / 86_400_000) * 86_400_000);
    // Reads are not writes: they are not counted against it.
    expect((await decideAction({ agent: ctx.principal, request: read() })).decision).toBe("allow");
  });

  it("hammers one counter directly: many reservations in parallel never exceed it", async () => {
    const meter = new QuotaMeter(createRedis());
    const key = `{gh-test-hammer}:${uniq()}`;
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 500 }, () => meter.check([{ key, mode: "count", amount: 1, limit: 137, expireAtMs: Date.now() + 60_000, forced: false }], { now, commit: true })),
    );
    expect(results.filter((r) => !r[0]!.refused)).toHaveLength(137);
    expect(await meter.read([key])).toEqual([137]);
    await meter.close();
  });

  it("a refused call reserves nothing against the other limits (all or nothing)", async () => {
    const ctx = await setup();
    await limit(ctx.owner, { name: "calls_per_hour", scope: "tenant", metric: "tool_calls", window: "hour", limit: 100 });
    await limit(ctx.owner, { name: "writes_per_minute", scope: "tenant", metric: "writes", window: "minute", limit: 2 });
    for (let i = 0; i < 4; i++) await decideAction({ agent: ctx.principal, request: write() });
    const answer = await decideAction({ agent: ctx.principal, request: read() });
    // Two writes were allowed and reserved; the two refused ones took nothing from calls_per_hour.
    expect(answer.quota.find((q) => q.name === "calls_per_hour")!.remaining).toBe(100 - 3);
  });

  it("windows reset: a per-minute limit counts again in the next minute", async () => {
    const meter = new QuotaMeter(createRedis());
    const ctx = await setup();
    await limit(ctx.owner, { scope: "agent", metric: "tool_calls", window: "minute", limit: 1 });
    const { reserveQuotas } = await import("./reserve-quotas");
    const subject = { tenantId: ctx.tenant.id, agentId: ctx.agent.id, labels: ctx.agent.labels, runId: "run_w" };
    const call = { tool: "stripe", operation: "charges.retrieve", riskClass: "read" };
    const t0 = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 5_000);
    expect((await reserveQuotas({ subject, call, commit: true, now: t0, meter })).kind).toBe("within");
    expect((await reserveQuotas({ subject, call, commit: true, now: new Date(t0.getTime() + 50_000), meter })).kind).toBe("exceeded");
    const next = await reserveQuotas({ subject, call, commit: true, now: new Date(t0.getTime() + 60_000), meter });
    expect(next).toMatchObject({ kind: "within", quota: [{ remaining: 0, resets_at: new Date(t0.getTime() - 5_000 + 120_000).toISOString() }] });
    // "Each agent" limits count every agent on its own.
    const other = await reserveQuotas({ subject: { ...subject, agentId: "agt_other" }, call, commit: true, now: t0, meter });
    expect(other.kind).toBe("within");
    await meter.close();
  });

  it("per-run limits and wall-clock time per run", async () => {
    const ctx = await setup();
    await limit(ctx.owner, { scope: "tenant", metric: "tool_calls", window: "run", limit: 2 });
    const run = `run_${uniq()}`;
    expect((await decideAction({ agent: ctx.principal, request: read(run) })).quota[0]).toMatchObject({ name: "tool_calls_per_run", remaining: 1, resets_at: null });
    await decideAction({ agent: ctx.principal, request: read(run) });
    expect((await decideAction({ agent: ctx.principal, request: read(run) })).decision).toBe("deny");
    expect((await decideAction({ agent: ctx.principal, request: read() })).decision).toBe("allow"); // another run

    const meter = new QuotaMeter(createRedis());
    const { reserveQuotas } = await import("./reserve-quotas");
    await limit(ctx.owner, { scope: "tenant", metric: "run_seconds", window: "run", limit: 30 });
    const subject = { tenantId: ctx.tenant.id, agentId: ctx.agent.id, labels: [], runId: `run_${uniq()}` };
    const call = { tool: "stripe", operation: "charges.retrieve", riskClass: "read" };
    const start = new Date();
    expect((await reserveQuotas({ subject, call, commit: false, now: start, meter })).kind).toBe("within");
    const late = await reserveQuotas({ subject, call, commit: false, now: new Date(start.getTime() + 31_000), meter });
    expect(late).toMatchObject({ kind: "exceeded", exceeded: [{ limit: { metric: "run_seconds" } }] });
    await meter.close();
  });

  it("group limits are one counter shared by the group's agents", async () => {
    const ctx = await setup(["payments"]);
    await limit(ctx.owner, { scope: "group", scopeRef: "payments", metric: "tool_calls", window: "day", limit: 1 });
    const twin: AgentPrincipal = { ...ctx.principal, agentId: "agt_twin", name: "twin" };
    expect((await decideAction({ agent: ctx.principal, request: read() })).decision).toBe("allow");
    expect((await decideAction({ agent: twin, request: read() })).decision).toBe("deny");
    const outsider: AgentPrincipal = { ...ctx.principal, agentId: "agt_out", labels: [] };
    expect((await decideAction({ agent: outsider, request: read() })).quota).toEqual([]);
  });

  it("settles reported model.call spend and tokens once, and denies at the budget", async () => {
    const ctx = await setup();
    await limit(ctx.owner, { name: "spend_per_day", scope: "agent", scopeRef: ctx.agent.id, metric: "spend_usd", window: "day", limit: 1 });
    await limit(ctx.owner, { name: "tokens_per_run", scope: "tenant", metric: "tokens", window: "run", limit: 10_000 });
    const run = `run_${uniq()}`;
    expect((await decideAction({ agent: ctx.principal, request: read(run) })).quota).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "spend_per_day", remaining: 1 }), expect.objectContaining({ name: "tokens_per_run", remaining: 10_000 })]),
    );
    const job = (key: string, cost: number, tokens: number) => ({
      tenantId: ctx.tenant.id,
      agentId: ctx.agent.id,
      receivedAt: new Date().toISOString(),
      events: [{ key, run, type: "model.call", ts: new Date().toISOString(), payload: {}, hash: "0".repeat(64), inputTokens: tokens, outputTokens: 0, costUsd: cost }],
    });
    expect(await settleReportedUsage(job("evt_1", 0.6, 4000))).toEqual({ settled: 1 });
    expect(await settleReportedUsage(job("evt_1", 0.6, 4000))).toEqual({ settled: 0 }); // redelivered: once
    const after = await decideAction({ agent: ctx.principal, request: read(run) });
    expect(after.decision).toBe("allow");
    expect(after.quota.find((q) => q.name === "spend_per_day")!.remaining).toBeCloseTo(0.4);
    expect(after.quota.find((q) => q.name === "tokens_per_run")!.remaining).toBe(6000);
    await settleReportedUsage(job("evt_2", 0.5, 100));
    const over = await decideAction({ agent: ctx.principal, request: read(run) });
    expect(over.decision).toBe("deny");
    expect(over.reasons).toEqual([expect.objectContaining({ code: "quota_exceeded", details: expect.objectContaining({ quota: "spend_per_day", used: 1.1 }) })]);
  });

  it("pause and ask: a limit with onExceed=approval becomes an approval, and its redemption is allowed once past the limit", async () => {
    const ctx = await setup();
    await limit(ctx.owner, { name: "writes_per_hour", scope: "tenant", metric: "writes", window: "hour", limit: 1, onExceed: "approval" });
    const run = `run_${uniq()}`;
    expect((await decideAction({ agent: ctx.principal, request: write(run) })).decision).toBe("allow");
    const paused = await decideAction({ agent: ctx.principal, request: write(run) });
    expect(paused.decision).toBe("pending_approval");
    expect(paused.reasons[0]).toMatchObject({ code: "quota_exceeded" });
    expect(paused.approval).toMatchObject({ status: "pending", required_approvals: 1 });
    const approver = await addApprover(ctx);
    // The request page shows the limit, its use and that approving extends it once.
    const page = await getApprovalRequest({ tenantId: ctx.tenant.id, approvalId: paused.approval!.id, viewer: { userId: approver.user.id, role: "approver" } });
    expect(page.limits).toEqual([expect.objectContaining({ name: "writes_per_hour", used: 1, limit: 1, extended: true })]);
    expect(await voteOnApproval({ actor: approver, approvalId: paused.approval!.id, verdict: "approve" })).toMatchObject({ status: "approved" });

    const redeemed = await decideAction({ agent: ctx.principal, request: { ...write(run), approval_id: paused.approval!.id } });
    expect(redeemed.decision).toBe("allow");
    expect(redeemed.quota[0]).toMatchObject({ name: "writes_per_hour", remaining: 0 });
    // Once: the next write pauses again, and the approval cannot be reused.
    expect((await decideAction({ agent: ctx.principal, request: write(run) })).decision).toBe("pending_approval");
    const reused = await decideAction({ agent: ctx.principal, request: { ...write(run), approval_id: paused.approval!.id } });
    expect(reused).toMatchObject({ decision: "deny", reasons: [{ code: "approval_already_used" }] });
  });

  it("alerts the tenant webhook once when use crosses the alert share of a limit", async () => {
    const ctx = await setup();
    await saveWebhook({ actor: ctx.owner, webhook: { url: "https://hooks.example.invalid/hook", enabled: true } });
    await limit(ctx.owner, { name: "writes_per_hour", scope: "tenant", metric: "writes", window: "hour", limit: 5, alertPercent: 80 });
    const alerts = () =>
      withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.notificationDelivery.findMany({ where: { tenantId: ctx.tenant.id, kind: "quota.threshold" } }));
    for (let i = 0; i < 3; i++) await decideAction({ agent: ctx.principal, request: write() });
    await new Promise((r) => setTimeout(r, 200)); // alerts are sent off the answer path
    expect(await alerts()).toHaveLength(0); // 3 of 5: below 80%
    for (let i = 0; i < 4; i++) await decideAction({ agent: ctx.principal, request: write() }); // 4 of 5 crosses, then 5, then refused
    await expect.poll(async () => (await alerts()).length).toBe(1);
    const [alert] = await alerts();
    expect(JSON.stringify(alert!.payload)).toContain("writes_per_hour is at 80%");
  });

  it("fails closed when Redis is unreachable: deny with quota_unavailable, not an unmetered allow", async () => {
    const ctx = await setup();
    await limit(ctx.owner, { scope: "tenant", metric: "tool_calls", window: "day", limit: 1000 });
    // Nothing listens on port 1: the connection is refused and every command fails.
    const unreachable = new Redis({ port: 1, host: "127.0.0.1", maxRetriesPerRequest: 0, commandTimeout: 300, retryStrategy: () => null });
    unreachable.on("error", () => {});
    const dead = new QuotaMeter(unreachable);
    const started = Date.now();
    const answer = await decideAction({ agent: ctx.principal, request: read(), meter: dead });
    expect(answer).toMatchObject({ decision: "deny", reasons: [{ code: "quota_unavailable" }] });
    expect(Date.now() - started).toBeLessThan(2_000);
    await dead.close();
  });

  it("limits are validated, audited and take effect at once; the usage page reads the counters", async () => {
    const ctx = await setup();
    const code = (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof AppError ? e.code : e?.name ?? String(e)));
    expect(await code(limit(ctx.owner, { scope: "agent", scopeRef: "agt_nope", metric: "writes", window: "day", limit: 5 }))).toBe("validation_failed");
    expect(await code(limit(ctx.owner, { scope: "tenant", metric: "operation_calls", tool: "stripe", operation: "nope", window: "day", limit: 5 }))).toBe("validation_failed");
    expect(await code(limit(ctx.owner, { scope: "tenant", metric: "run_seconds", window: "day", limit: 5 }))).toBe("ZodError");

    const q = await limit(ctx.owner, { scope: "tenant", metric: "operation_calls", tool: "stripe", operation: "charges.retrieve", window: "day", limit: 3 });
    expect(q.name).toBe("charges_retrieve_per_day");
    expect(await code(limit(ctx.owner, { scope: "tenant", metric: "operation_calls", tool: "stripe", operation: "charges.retrieve", window: "day", limit: 9 }))).toBe("conflict");
    await decideAction({ agent: ctx.principal, request: read() });
    await decideAction({ agent: ctx.principal, request: write() }); // another operation: not counted

    const usage = await getQuotaUsage({ tenantId: ctx.tenant.id });
    expect(usage.countersAvailable).toBe(true);
    expect(usage.limits).toEqual([expect.objectContaining({ name: "charges_retrieve_per_day", rows: [expect.objectContaining({ subject: "All agents", used: 1 })] })]);

    await saveQuota({ actor: ctx.owner, quotaId: q.id, request: { name: q.name, scope: "tenant", metric: "operation_calls", tool: "stripe", operation: "charges.retrieve", window: "day", limit: 1 } });
    expect((await decideAction({ agent: ctx.principal, request: read() })).decision).toBe("deny"); // lowered below today's use
    await deleteQuota({ actor: ctx.owner, quotaId: q.id });
    expect((await decideAction({ agent: ctx.principal, request: read() })).decision).toBe("allow");

    const audit = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.auditEntry.findMany({ where: { tenantId: ctx.tenant.id, action: { startsWith: "quota." } }, orderBy: { seq: "asc" } }));
    expect(audit.map((a) => a.action)).toEqual(["quota.created", "quota.updated", "quota.deleted"]);
    expect(audit[1]!.before).toMatchObject({ limit: 3 });
    expect(audit[1]!.after).toMatchObject({ limit: 1 });
  });
});
