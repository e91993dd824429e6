import { QueueEvents } from "bullmq";
import fc from "fast-check";
import { startDecisionsWorker, type DecisionsWorker } from "@/lib/testing/decisions-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import { listRunEvents } from "@/lib/runs/list-run-events";
import { engageKillSwitch, liftKillSwitch } from "@/lib/kill-switches/engage-kill-switch";
import { closeQueues, queueConnection, queuePrefix } from "@/lib/queue/registry";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { POST } from "./route";

type Answer = { decision_id: string; decision: string; reasons: { code: string; message: string; details?: unknown }[]; approval?: { id: string; status: string; expires_at: string; required_approvals: number }; quota: unknown[]; policy_version: number | null };

async function decide(token: string, body: Record<string, unknown>): Promise<{ status: number; body: Answer }> {
  const res = await POST(
    new Request("http://gatehouse.test/api/v1/decisions", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ run_id: "run_test", ...body }) }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, body: (await res.json()) as Answer };
}

const refund = (amount: number, extra: Record<string, unknown> = {}) => ({ tool: "stripe", operation: "refunds.create", resource: { type: "charge", id: "ch_1" }, args: { charge_id: "ch_1", amount_cents: amount, ...extra } });

let worker: DecisionsWorker;
let events: QueueEvents;
beforeAll(async () => {
  worker = startDecisionsWorker(4);
  events = new QueueEvents("decisions", { connection: queueConnection(), prefix: queuePrefix() });
  await events.waitUntilReady();
});
afterAll(async () => {
  await worker.close();
  await events.close();
  await closeQueues();
});

describe("POST /api/v1/decisions", () => {
  it("denies by default, and records every decision in the decisions table and the audit log", async () => {
    const { tenant, token } = await createPolicyTenant();
    const answer = await decide(token, refund(500));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ decision: "deny", reasons: [{ code: "no_matching_allow_rule" }], quota: [], policy_version: null });
    expect(answer.body.decision_id).toMatch(/^dec_/);
    await expect.poll(() => withTenant({ tenantId: tenant.id }, (tx) => tx.decision.findUnique({ where: { id: answer.body.decision_id } })), { timeout: 5000 }).toMatchObject({
      outcome: "deny",
      runExternalId: "run_test",
      args: { charge_id: "ch_1", amount_cents: 500 },
    });
    const audit = await withTenant({ tenantId: tenant.id }, (tx) => tx.auditEntry.findFirst({ where: { tenantId: tenant.id, action: "decision.deny", targetId: answer.body.decision_id } }));
    expect(audit?.actorType).toBe("agent");
    // And in the run's timeline, attested by the server.
    const timeline = await listRunEvents({ tenantId: tenant.id, externalId: "run_test", limit: 100 });
    expect(timeline.events).toEqual([expect.objectContaining({ id: answer.body.decision_id, type: "decision", source: "server", decision: "deny", tool: "stripe" })]);
  });

  it("stores a redacted copy of the arguments, never a secret in them", async () => {
    const { tenant, owner, token } = await createPolicyTenant();
    await publishRules(owner, [rule({ tool: "webhooks", operations: ["send"] })]);
    const secret = "Bearer sk_live_51HxQe2EXAMPLEabcdefghijklmnopqrstuv";
    const answer = await decide(token, { tool: "webhooks", operation: "send", args: { url: "https://hooks.slack.com/x", body: secret } });
    expect(answer.body.decision).toBe("allow");
    await expect.poll(() => withTenant({ tenantId: tenant.id }, (tx) => tx.decision.findUnique({ where: { id: answer.body.decision_id } })), { timeout: 5000 }).toBeTruthy();
    const stored = await withTenant({ tenantId: tenant.id }, (tx) => tx.decision.findUnique({ where: { id: answer.body.decision_id } }));
    expect(JSON.stringify(stored?.args)).not.toContain("sk_live_51HxQe2EXAMPLE");
    expect((stored?.args as { url: string }).url).toBe("https://hooks.slack.com/x");
  });

  it("answers unknown tools and operations and invalid arguments with reasons", async () => {
    const { owner, token } = await createPolicyTenant();
    await publishRules(owner, [rule({ tool: "stripe", operations: ["*"] })]);
    expect((await decide(token, { tool: "paypal", operation: "x", args: {} })).body.reasons[0]!.code).toBe("unknown_tool");
    expect((await decide(token, { tool: "stripe", operation: "payouts.create", args: {} })).body.reasons[0]!.code).toBe("unknown_operation");
    const invalid = await decide(token, { tool: "stripe", operation: "refunds.create", args: { charge_id: 5 } });
    expect(invalid.body).toMatchObject({ decision: "deny", reasons: [{ code: "invalid_args" }] });
    expect(invalid.body.reasons[0]!.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: "/charge_id" }), expect.objectContaining({ path: "(root)", message: expect.stringContaining("amount_cents") })]));
  });

  it("rejects malformed requests with the API error shape", async () => {
    const { token } = await createPolicyTenant();
    const res = await decide(token, { tool: "", operation: "x", args: "nope" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "validation_failed" } });
  });

  it("applies each approval tier", async () => {
    const { owner, token } = await createPolicyTenant();
    await publishRules(owner, [
      rule({ name: "refunds", tool: "stripe", operations: ["refunds.create"], approval: { tier: "threshold", arg: "amount_cents", above: 10_000 } }),
      rule({ name: "reads", tool: "stripe", operations: ["charges.retrieve"] }),
      rule({ name: "merges", tool: "github", operations: ["pulls.merge"], approval: { tier: "two_person" } }),
      rule({ name: "slack", tool: "slack", operations: ["chat.postMessage"], approval: { tier: "always", expiresInMinutes: 5 } }),
    ]);
    expect((await decide(token, refund(10_000))).body.decision).toBe("allow");
    const big = await decide(token, refund(10_001));
    expect(big.body).toMatchObject({ decision: "pending_approval", reasons: [{ code: "approval_required" }], approval: { status: "pending", required_approvals: 1 } });
    expect((await decide(token, { tool: "stripe", operation: "charges.retrieve", args: { charge_id: "ch_1" } })).body.decision).toBe("allow");
    expect((await decide(token, { tool: "github", operation: "pulls.merge", args: { repo: "acme/web" } })).body.approval?.required_approvals).toBe(2);
    const always = await decide(token, { tool: "slack", operation: "chat.postMessage", args: { channel: "#x", text: "hi" } });
    expect(always.body.decision).toBe("pending_approval");
    expect(new Date(always.body.approval!.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
  });

  it("enforces every constraint kind", async () => {
    const { owner, token } = await createPolicyTenant();
    await publishRules(owner, [
      rule({ tool: "stripe", operations: ["refunds.create"], resources: ["ch_*"], constraints: [
        { op: "equals", arg: "currency", value: "usd" },
        { op: "one_of", arg: "reason", values: ["duplicate", "fraudulent"] },
        { op: "range", arg: "amount_cents", min: 100, max: 50_000 },
        { op: "forbidden", arg: "force" },
      ] }),
      rule({ tool: "stripe", operations: ["charges.retrieve"], constraints: [{ op: "pattern", arg: "charge_id", glob: "ch_test_*" }] }),
      rule({ tool: "github", operations: ["repos.get"], resources: ["acme/*"] }),
      rule({ tool: "webhooks", operations: ["send"], destinations: [{ arg: "url", hosts: ["hooks.slack.com", "*.acme.test"] }] }),
    ]);
    const ok = { currency: "usd", reason: "duplicate" };
    expect((await decide(token, refund(500, ok))).body.decision).toBe("allow");
    expect((await decide(token, refund(500, { ...ok, currency: "eur" }))).body.decision).toBe("deny");
    expect((await decide(token, refund(500, { ...ok, reason: "goodwill" }))).body.decision).toBe("deny");
    expect((await decide(token, refund(50, ok))).body.decision).toBe("deny");
    expect((await decide(token, refund(60_000, ok))).body.decision).toBe("deny");
    expect((await decide(token, refund(500, { ...ok, force: true }))).body.decision).toBe("deny");
    expect((await decide(token, { ...refund(500, ok), resource: { type: "charge", id: "py_1" } })).body.decision).toBe("deny");
    expect((await decide(token, { tool: "stripe", operation: "charges.retrieve", args: { charge_id: "ch_test_9" } })).body.decision).toBe("allow");
    expect((await decide(token, { tool: "stripe", operation: "charges.retrieve", args: { charge_id: "ch_live_9" } })).body.decision).toBe("deny");
    expect((await decide(token, { tool: "github", operation: "repos.get", resource: { type: "repo", id: "acme/web" }, args: { repo: "acme/web" } })).body.decision).toBe("allow");
    expect((await decide(token, { tool: "github", operation: "repos.get", resource: { type: "repo", id: "evil/web" }, args: { repo: "evil/web" } })).body.decision).toBe("deny");
    expect((await decide(token, { tool: "webhooks", operation: "send", args: { url: "https://hooks.slack.com/services/x" } })).body.decision).toBe("allow");
    expect((await decide(token, { tool: "webhooks", operation: "send", args: { url: "https://ci.acme.test/hook" } })).body.decision).toBe("allow");
    expect((await decide(token, { tool: "webhooks", operation: "send", args: { url: "https://attacker.example/hook" } })).body.decision).toBe("deny");
  });

  it("honours time windows (UTC)", async () => {
    const { owner, token } = await createPolicyTenant();
    const now = new Date();
    const today = now.getUTCDay();
    await publishRules(owner, [
      rule({ tool: "stripe", operations: ["charges.retrieve"], timeWindow: { days: [today], start: "00:00", end: "24:00" } }),
      rule({ tool: "github", operations: ["repos.get"], timeWindow: { days: [(today + 3) % 7], start: "00:00", end: "24:00" } }),
    ]);
    expect((await decide(token, { tool: "stripe", operation: "charges.retrieve", args: { charge_id: "c" } })).body.decision).toBe("allow");
    expect((await decide(token, { tool: "github", operation: "repos.get", args: { repo: "a/b" } })).body.decision).toBe("deny");
  });

  it("matches agents by group and keeps shadow rules out of enforcement", async () => {
    const { tenant, owner, token } = await createPolicyTenant({ labels: ["payments"] });
    await publishRules(owner, [
      rule({ tool: "stripe", operations: ["charges.retrieve"], groups: ["payments"] }),
      rule({ tool: "stripe", operations: ["refunds.create"], groups: ["payments"], mode: "shadow" }),
      rule({ tool: "github", operations: ["repos.get"], groups: ["engineering"] }),
    ]);
    expect((await decide(token, { tool: "stripe", operation: "charges.retrieve", args: { charge_id: "c" } })).body.decision).toBe("allow");
    const shadowed = await decide(token, refund(100));
    expect(shadowed.body.decision).toBe("deny");
    // What the shadow rule would have done is recorded with the decision.
    await expect
      .poll(() => withTenant({ tenantId: tenant.id }, (tx) => tx.decision.findUnique({ where: { id: shadowed.body.decision_id } })), { timeout: 5000 })
      .toMatchObject({ outcome: "deny", shadow: { outcome: "allow" } });
    expect((await decide(token, { tool: "github", operation: "repos.get", args: { repo: "a/b" } })).body.decision).toBe("deny");
  });

  it("denies every call to a tool whose kill switch is on, and allows again once lifted", async () => {
    const { owner, token } = await createPolicyTenant();
    await publishRules(owner, [rule({ tool: "stripe", operations: ["*"] })]);
    expect((await decide(token, refund(1))).body.decision).toBe("allow");
    const { killSwitch } = (await engageKillSwitch({ actor: owner, request: { scope: "tool", target: "stripe", reason: "incident" } })) as { killSwitch: { id: string } };
    expect((await decide(token, refund(1))).body).toMatchObject({ decision: "deny", reasons: [{ code: "tool_killed" }] });
    await liftKillSwitch({ actor: owner, killSwitchId: killSwitch.id });
    expect((await decide(token, refund(1))).body.decision).toBe("allow");
  });

  it("records the policy version in force, and forbid rules override permits", async () => {
    const { owner, token } = await createPolicyTenant();
    await publishRules(owner, [rule({ tool: "stripe", operations: ["*"] })]);
    const v2 = await publishRules(owner, [rule({ tool: "stripe", operations: ["*"] }), rule({ name: "no big refunds", tool: "stripe", operations: ["refunds.create"], effect: "forbid", constraints: [{ op: "range", arg: "amount_cents", min: 100_000, max: 1_000_000_000 }] })]);
    const small = await decide(token, refund(10));
    expect(small.body).toMatchObject({ decision: "allow", policy_version: v2.version });
    expect((await decide(token, refund(200_000))).body).toMatchObject({ decision: "deny", reasons: [{ code: "forbidden_by_rule" }] });
  });
});

describe("argument schemas from real catalogues", () => {
  it("validates draft-07 schemas with an $id, also after the policy cache reloads", async () => {
    const { tenant, owner, token } = await createPolicyTenant();
    await withTenant({ tenantId: tenant.id }, async (tx) => {
      const tool = await tx.tool.create({ data: { tenantId: tenant.id, name: "mcpgh", displayName: "MCP GitHub" } });
      await tx.toolOperation.create({
        data: {
          tenantId: tenant.id,
          toolId: tool.id,
          name: "create_issue",
          riskClass: "write",
          argsSchema: { $schema: "http://json-schema.org/draft-07/schema#", $id: "urn:mcp:create_issue", type: "object", properties: { title: { type: "string" } }, required: ["title"] },
        },
      });
    });
    await publishRules(owner, [rule({ tool: "mcpgh", operations: ["create_issue"] })]);
    expect((await decide(token, { tool: "mcpgh", operation: "create_issue", args: { title: "x" } })).body.decision).toBe("allow");
    await publishRules(owner, [rule({ tool: "mcpgh", operations: ["create_issue"] }), rule({ tool: "stripe", operations: ["*"] })]); // reload: compiles the same $id again
    expect((await decide(token, { tool: "mcpgh", operation: "create_issue", args: { title: "x" } })).body.decision).toBe("allow");
    expect((await decide(token, { tool: "mcpgh", operation: "create_issue", args: {} })).body.reasons[0]!.code).toBe("invalid_args");
  });
});

describe("approval redemption", () => {
  async function approved() {
    const ctx = await createPolicyTenant();
    await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"], approval: { tier: "always" } })]);
    const pending = await decide(ctx.token, refund(700));
    const approvalId = pending.body.approval!.id;
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.update({ where: { id: approvalId }, data: { status: "approved", decidedAt: new Date() } }));
    return { ...ctx, approvalId };
  }

  it("allows the approved action once, then never again", async () => {
    const { token, approvalId } = await approved();
    expect((await decide(token, { ...refund(700), approval_id: approvalId })).body).toMatchObject({ decision: "allow", reasons: [{ code: "approval_redeemed" }] });
    expect((await decide(token, { ...refund(700), approval_id: approvalId })).body).toMatchObject({ decision: "deny", reasons: [{ code: "approval_already_used" }] });
  });

  it("refuses a pending approval, and concurrent redemptions allow exactly one", async () => {
    const ctx = await createPolicyTenant();
    await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"], approval: { tier: "always" } })]);
    const pending = await decide(ctx.token, refund(700));
    const id = pending.body.approval!.id;
    expect((await decide(ctx.token, { ...refund(700), approval_id: id })).body.reasons[0]!.code).toBe("approval_pending");
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.update({ where: { id }, data: { status: "approved" } }));
    const answers = await Promise.all(Array.from({ length: 6 }, () => decide(ctx.token, { ...refund(700), approval_id: id })));
    expect(answers.filter((a) => a.body.decision === "allow")).toHaveLength(1);
  });

  it("never applies an approval to a changed action (property)", async () => {
    const { token, approvalId } = await approved();
    await fc.assert(
      fc.asyncProperty(
        fc.record({ amount: fc.integer({ min: 1, max: 1_000_000 }), charge: fc.constantFrom("ch_1", "ch_2", "ch_X"), extra: fc.option(fc.constantFrom("duplicate", "fraud"), { nil: undefined }) }).filter((a) => !(a.amount === 700 && a.charge === "ch_1" && a.extra === undefined)),
        async ({ amount, charge, extra }) => {
          const body = { tool: "stripe", operation: "refunds.create", resource: { type: "charge", id: "ch_1" }, args: { charge_id: charge, amount_cents: amount, ...(extra && { reason: extra }) }, approval_id: approvalId };
          const answer = await decide(token, body);
          expect(answer.body).toMatchObject({ decision: "deny", reasons: [{ code: "approval_mismatch" }] });
        },
      ),
      { numRuns: 25 },
    );
    // The approval is still unused: the exact action redeems it.
    expect((await decide(token, { ...refund(700), approval_id: approvalId })).body.decision).toBe("allow");
  });
});
