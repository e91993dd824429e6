/**
 * The gateway against a real upstream (node:http on 127.0.0.1, OUTBOUND_ALLOW_HOSTS lets it
 * through) that counts and keeps what it receives: the credential goes only on allowed
 * calls and only to the connection's hosts, never back to the agent; deny and pending never
 * reach the upstream; an approval executes once; upstream faults answer 502/504 and are
 * recorded; a refused credential is recorded and alerted once.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { startDecisionsWorker, type DecisionsWorker } from "@/lib/testing/decisions-worker";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as decisionsPost } from "@/app/api/v1/decisions/route";
import { voteOnApproval } from "@/lib/approvals/vote-on-approval";
import type { DecisionRecordsJob } from "@/lib/decisions/record-job";
import type { MemberContext } from "@/lib/auth/member";
import { listConnections } from "@/lib/connections/list-connections";
import { updateConnection } from "@/lib/connections/update-connection";
import { withTenant } from "@/lib/db/tenant";
import { updateGatewaySettings } from "@/lib/gateway/update-gateway-settings";
import { saveQuota } from "@/lib/quotas/manage-quotas";
import { updateOperation } from "@/lib/tools/update-operation";
import { listRunEvents } from "@/lib/runs/list-run-events";
import { closeQueues } from "@/lib/queue/registry";
import { createUser } from "@/lib/testing/factories";
import { updateTool } from "@/lib/tools/update-tool";
import { REDACTED } from "@/lib/ingest/redact";
import { createGatewayTenant, gatewayCall as call, startTestUpstream, toolIdOf as toolId, type GatewayAnswer as Answer, type Received } from "./testing";

process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";

let upstream: Awaited<ReturnType<typeof startTestUpstream>>;
let received: Received[];
let base: string;
let worker: DecisionsWorker;
beforeAll(async () => {
  upstream = await startTestUpstream();
  ({ received, base } = upstream);
  worker = startDecisionsWorker(8);
});
afterAll(async () => {
  await worker.close();
  await closeQueues();
  await upstream.close();
});
beforeEach(() => {
  received.length = 0;
});

const setup = (opts: Parameters<typeof createGatewayTenant>[1] = {}) => createGatewayTenant(base, opts);

const refund = (amount = 500) => ({ args: { charge_id: "ch_1", amount_cents: amount } });

async function serverEvents(tenantId: string, run = "run_gw") {
  const page = await listRunEvents({ tenantId, externalId: run, limit: 500 });
  return page.events as unknown as { id: string; type: string; source: string; [k: string]: unknown }[];
}

describe("POST /api/v1/gateway/{tool}/{operation}", () => {
  it("settles spend from what the gateway saw (the call's amount), once per call, and denies at the budget; a failed call costs nothing", async () => {
    const ctx = await setup();
    await saveQuota({ actor: ctx.owner, request: { name: "refund_budget", scope: "tenant", metric: "spend_usd", window: "day", limit: 10 } });
    const toolIdOfStripe = await toolId(ctx.tenant.id, "stripe");
    const op = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.toolOperation.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, toolId: toolIdOfStripe, name: "refunds.create" } }));
    await updateOperation({ actor: ctx.owner, toolId: toolIdOfStripe, operationId: op.id, changes: { spendField: { source: "args", field: "amount_cents", unit: "cents" } } });
    // A decision (not a gateway call) reads the budget without spending it.
    const remaining = async () => {
      const res = await decisionsPost(
        new Request("http://gatehouse.test/api/v1/decisions", { method: "POST", headers: { authorization: `Bearer ${ctx.token}`, "content-type": "application/json" }, body: JSON.stringify({ run_id: "r", tool: "stripe", operation: "refunds.create", ...refund(1) }) }),
        { params: Promise.resolve({}) },
      );
      return ((await res.json()) as { quota: { name: string; remaining: number }[] }).quota.find((q) => q.name === "refund_budget")?.remaining;
    };

    const first = await call(ctx.token, refund(600));
    expect(first.body).toMatchObject({ decision: "allow", result: { status: 201, spend_usd: 6 } });
    await expect.poll(remaining, { timeout: 10_000 }).toBe(4);

    // An upstream failure is not spend.
    await updateTool({ actor: ctx.owner, toolId: toolIdOfStripe, changes: { upstream: { kind: "http", baseUrl: `${base}/fail`, connectionId: ctx.connection.id, timeoutMs: 2_000, maxResponseBytes: 4096 } } });
    const failed = await call(ctx.token, refund(300));
    expect(failed.status).toBe(502);
    await updateTool({ actor: ctx.owner, toolId: toolIdOfStripe, changes: { upstream: { kind: "http", baseUrl: base, connectionId: ctx.connection.id, timeoutMs: 2_000, maxResponseBytes: 4096 } } });
    await call(ctx.token, refund(450));
    // 6 + 4.50 = 10.50 spent of 10 (a budget is checked before a call, settled after it).
    await expect.poll(remaining, { timeout: 10_000 }).toBe(0);
    const over = await call(ctx.token, refund(100));
    expect(over.body).toMatchObject({ decision: "deny", reasons: [{ code: "quota_exceeded" }] });
    expect(received.filter((r) => r.url.startsWith("/v1/charges"))).toHaveLength(2);
  });

  it("executes an allowed call with the credential injected, answers the result without the credential, and attests call and result", async () => {
    const ctx = await setup();
    const answer = await call(ctx.token, refund(500));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ decision: "allow", result: { status: 201, truncated: false, side_effects: [{ system: "stripe", object_type: "refund", object_id: expect.stringMatching(/^re_/) }] } });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: "POST", url: "/v1/charges/ch_1/refunds" });
    expect(received[0]!.headers["x-api-key"]).toBe(ctx.secret);
    expect(JSON.parse(received[0]!.body)).toEqual({ amount_cents: 500 });
    // The upstream echoed the key: the agent still never sees it.
    expect(answer.text).not.toContain(ctx.secret);

    await expect.poll(async () => (await serverEvents(ctx.tenant.id)).filter((e) => e.type.startsWith("gateway.")).map((e) => e.type).sort(), { timeout: 10_000 }).toEqual(["gateway.call", "gateway.result"]);
    const events = await serverEvents(ctx.tenant.id);
    const result = events.find((e) => e.type === "gateway.result")!;
    expect(result).toMatchObject({ source: "server", id: answer.body.result!.event_id, status: 201, decision_id: answer.body.decision_id, request_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), response_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(events)).not.toContain(ctx.secret);
    await expect.poll(async () => (await listConnections({ tenantId: ctx.tenant.id }))[0]!.lastUsedAt, { timeout: 5_000 }).not.toBeNull();
  });

  it("never reaches the upstream on deny or pending approval", async () => {
    const ctx = await setup({ approval: "always" });
    const pending = await call(ctx.token, refund(700));
    expect(pending.body).toMatchObject({ decision: "pending_approval", approval: { id: expect.any(String) } });
    expect(pending.body.result).toBeUndefined();
    const denied = await call(ctx.token, { args: { charge_id: "ch_1", amount_cents: "lots" } });
    expect(denied.body).toMatchObject({ decision: "deny", reasons: [{ code: "invalid_args" }] });
    const unknown = await call(ctx.token, { args: {} }, "stripe", "payouts.create");
    expect(unknown.body).toMatchObject({ decision: "deny", reasons: [{ code: "unknown_operation" }] });
    expect(received).toHaveLength(0);
  });

  it("holds a call with wait and executes it exactly once when approved, even with concurrent approval_id retries", async () => {
    const ctx = await setup({ approval: "always" });
    const approver = await createApprover(ctx.tenant);
    const held = call(ctx.token, { ...refund(900), wait: 15 });
    const approvalId = await expect
      .poll(async () => (await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findFirst({ where: { tenantId: ctx.tenant.id, status: "pending" } })))?.id, { timeout: 5_000 })
      .toBeTruthy()
      .then(async () => (await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findFirstOrThrow({ where: { tenantId: ctx.tenant.id } }))).id);
    await voteOnApproval({ actor: approver, approvalId, verdict: "approve" });
    const retries = Array.from({ length: 4 }, () => call(ctx.token, { ...refund(900), approval_id: approvalId }));
    const answers = [await held, ...(await Promise.all(retries))];
    expect(answers.filter((a) => a.body.decision === "allow" && a.body.result)).toHaveLength(1);
    expect(answers.filter((a) => a.body.decision === "deny").map((a) => a.body.reasons![0]!.code)).toEqual(Array(4).fill("approval_already_used"));
    expect(received).toHaveLength(1);
  });

  it("answers a held call that a human denies as deny, without reaching the upstream", async () => {
    const ctx = await setup({ approval: "always" });
    const approver = await createApprover(ctx.tenant);
    const held = call(ctx.token, { ...refund(901), wait: 15 });
    await expect.poll(() => withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.count({ where: { tenantId: ctx.tenant.id, status: "pending" } })), { timeout: 5_000 }).toBe(1);
    const approval = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findFirstOrThrow({ where: { tenantId: ctx.tenant.id } }));
    await voteOnApproval({ actor: approver, approvalId: approval.id, verdict: "deny" });
    const answer = await held;
    expect(answer.body).toMatchObject({ decision: "deny" });
    expect(answer.body.result).toBeUndefined();
    expect(received).toHaveLength(0);
  });

  it("executes an approved call once through approval_id (the agent calls again)", async () => {
    const ctx = await setup({ approval: "always" });
    const approver = await createApprover(ctx.tenant);
    const pending = await call(ctx.token, refund(300));
    await voteOnApproval({ actor: approver, approvalId: pending.body.approval!.id, verdict: "approve" });
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(ctx.token, { ...refund(300), approval_id: pending.body.approval!.id })));
    expect(answers.filter((a) => a.body.result)).toHaveLength(1);
    expect(received).toHaveLength(1);
  });

  it("sends the credential only to the connection's hosts", async () => {
    const ctx = await setup();
    // The base URL must be one of the connection's hosts.
    await expect(updateTool({ actor: ctx.owner, toolId: await toolId(ctx.tenant.id, "stripe"), changes: { upstream: { kind: "http", baseUrl: "http://127.0.0.2:9/", connectionId: ctx.connection.id, timeoutMs: 1000, maxResponseBytes: 4096 } } })).rejects.toMatchObject({ code: "validation_failed" });
    // Narrowed afterwards: the call is refused before anything is sent.
    await updateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, changes: { allowedHosts: ["api.stripe.com"] } });
    const answer = await call(ctx.token, refund(100));
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatchObject({ code: "upstream_unreachable" });
    expect(received).toHaveLength(0);
  });

  it("keeps an agent inside the operation's path: a path argument of \"..\" is refused and nothing is sent", async () => {
    const ctx = await setup();
    const answer = await call(ctx.token, { args: { charge_id: "..", amount_cents: 5 } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: "validation_failed" });
    expect((await call(ctx.token, { args: { charge_id: "../../admin", amount_cents: 5 } })).body.result).toMatchObject({ status: 201 });
    expect(received.map((r) => r.url)).toEqual(["/v1/charges/..%2F..%2Fadmin/refunds"]);
  });

  it("answers 502 (not 500) and sends nothing when the stored secret does not open (a sealed value copied from another row)", async () => {
    const a = await setup();
    const b = await setup();
    const sealedOfB = (await withTenant({ tenantId: b.tenant.id }, (tx) => tx.connection.findUniqueOrThrow({ where: { id: b.connection.id } }))).sealedSecret;
    await withTenant({ tenantId: a.tenant.id }, (tx) => tx.connection.update({ where: { id: a.connection.id }, data: { sealedSecret: sealedOfB } }));
    await updateConnection({ actor: a.owner, connectionId: a.connection.id, changes: { name: "reload" } }); // drops the cached copy
    const answer = await call(a.token, refund(5));
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatchObject({ code: "upstream_unreachable" });
    expect(answer.text).not.toContain(b.secret);
    expect(received).toHaveLength(0);
  });

  it("settles call quotas from what the gateway sent: a call never sent gives its unit back, a sent one keeps it", async () => {
    const ctx = await setup();
    await saveQuota({ actor: ctx.owner, request: { scope: "tenant", metric: "tool_calls", window: "day", limit: 1 } });
    await updateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, changes: { allowedHosts: ["api.stripe.com"] } });
    await expect.poll(async () => (await call(ctx.token, refund(1))).status, { timeout: 5_000 }).toBe(502);
    expect((await call(ctx.token, refund(2))).status).toBe(502); // still within the limit: the first gave its unit back
    await updateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, changes: { allowedHosts: [new URL(base).host] } });
    await expect.poll(async () => (await call(ctx.token, refund(3))).body.result?.status, { timeout: 5_000 }).toBe(201);
    expect((await call(ctx.token, refund(4))).body).toMatchObject({ decision: "deny", reasons: [{ code: "quota_exceeded" }] });
    expect(received).toHaveLength(1);
  });

  it("queues the call's record with its decision record before sending: when that write fails, nothing is sent, 503, and the unit is given back", async () => {
    const ctx = await setup();
    await saveQuota({ actor: ctx.owner, request: { scope: "tenant", metric: "tool_calls", window: "day", limit: 1 } });
    const write = vi.spyOn(Redis.prototype, "xadd").mockRejectedValueOnce(new Error("Connection is closed."));
    try {
      const failed = await call(ctx.token, refund(1));
      expect(failed.status).toBe(503);
      expect(failed.body.error).toMatchObject({ code: "dependency_unavailable", details: { decision_id: expect.stringMatching(/^dec_/) } });
      expect(write).toHaveBeenCalledTimes(1);
      // One stream entry carries the decision and the call's record.
      const job = JSON.parse(String(write.mock.calls[0]!.at(-1))) as DecisionRecordsJob;
      expect({ records: job.records.length, types: job.gatewayEvents.map((e) => e.type) }).toEqual({ records: 1, types: ["gateway.call"] });
    } finally {
      write.mockRestore();
    }
    expect(received).toHaveLength(0);
    expect((await call(ctx.token, refund(2))).body.result?.status).toBe(201); // the limit of 1 was not used by the unsent call
    expect(received).toHaveLength(1);
  });

  it("answers upstream faults with 502/504 in the error shape, within the timeout, and records them", async () => {
    const cases: { path: string; status: number; code?: string; truncated?: boolean }[] = [
      { path: "/slow", status: 504, code: "upstream_timeout" },
      { path: "/fail", status: 502, code: "upstream_error" },
      { path: "/redirect", status: 502, code: "upstream_error" },
      { path: "/huge", status: 200, truncated: true },
    ];
    for (const c of cases) {
      const ctx = await setup({ path: `${c.path}/{charge_id}`, timeoutMs: 500 });
      const started = Date.now();
      const answer = await call(ctx.token, refund(100));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(answer.status, c.path).toBe(c.status);
      if (c.code) expect(answer.body.error, c.path).toMatchObject({ code: c.code, details: { decision_id: expect.any(String) } });
      else expect(answer.body.result, c.path).toMatchObject({ status: 200, truncated: true });
      await expect
        .poll(async () => (await serverEvents(ctx.tenant.id)).find((e) => e.type === "gateway.result"), { timeout: 10_000 })
        .toMatchObject(c.code ? { error: c.code } : { truncated: true });
    }
    // A closed port: unreachable.
    const ctx = await setup();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.connection.update({ where: { id: ctx.connection.id }, data: { allowedHosts: [`127.0.0.1:${deadPort}`, new URL(base).host] } }));
    await updateTool({ actor: ctx.owner, toolId: await toolId(ctx.tenant.id, "stripe"), changes: { upstream: { kind: "http", baseUrl: `http://127.0.0.1:${deadPort}`, connectionId: ctx.connection.id, timeoutMs: 1000, maxResponseBytes: 4096 } } });
    const answer = await call(ctx.token, refund(100));
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatchObject({ code: "upstream_unreachable" });
    expect(answer.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it("records an upstream's answer that Postgres cannot store as it is: lone surrogates and NUL replaced, JSON nested too deep kept as its text", async () => {
    const ctx = await setup({ path: "/unstorable/{charge_id}" });
    const answer = await call(ctx.token, refund(100));
    expect(answer.body.result).toMatchObject({ status: 201, body: { id: "re_u", note: "a\uFFFDb", "k\uFFFD": "c\uFFFD" }, side_effects: [{ object_id: "re_u" }] });
    await expect.poll(async () => (await serverEvents(ctx.tenant.id)).find((e) => e.type === "gateway.result"), { timeout: 10_000 }).toMatchObject({ response_body: { id: "re_u", note: "a\uFFFDb" } });

    const deep = await setup({ path: "/deep/{charge_id}" });
    const deepAnswer = await call(deep.token, refund(100));
    expect(deepAnswer.body.result).toMatchObject({ status: 201, body: expect.stringMatching(/^\{"id":"re_d","x":\[\[\[/) });
    await expect.poll(async () => (await serverEvents(deep.tenant.id)).find((e) => e.type === "gateway.result"), { timeout: 10_000 }).toMatchObject({ response_body: expect.stringMatching(/^\{"id":"re_d"/) });
  });

  it("scrubs a credential the upstream echoes in JSON escapes, which only parsing reveals, from the answer and the record", async () => {
    const ctx = await setup({ path: "/escaped/{charge_id}" });
    const answer = await call(ctx.token, refund(100));
    expect(answer.body.result).toMatchObject({ status: 201, body: { id: "re_e", echo: REDACTED, [REDACTED]: 1 } });
    expect(answer.text).not.toContain(ctx.secret);
    await expect.poll(async () => (await serverEvents(ctx.tenant.id)).find((e) => e.type === "gateway.result"), { timeout: 10_000 }).toMatchObject({ response_body: { echo: REDACTED } });
    expect(JSON.stringify(await serverEvents(ctx.tenant.id))).not.toContain(ctx.secret);
  });

  it("redacts the start of a credential that the size cap cut through, in the answer and the record", async () => {
    const ctx = await setup({ path: "/cut/{charge_id}" });
    const answer = await call(ctx.token, refund(100));
    expect(answer.body.result).toMatchObject({ status: 201, truncated: true, body: `${"x".repeat(4_090)}${REDACTED}` });
    await expect.poll(async () => (await serverEvents(ctx.tenant.id)).find((e) => e.type === "gateway.result"), { timeout: 10_000 }).toMatchObject({ response_body: `${"x".repeat(4_090)}${REDACTED}` });
    expect(JSON.stringify(await serverEvents(ctx.tenant.id))).not.toContain(ctx.secret.slice(0, 6));
  });

  it("records a refused credential on the connection and alerts the tenant webhook once", async () => {
    const ctx = await setup({ path: "/refuse/{charge_id}" });
    await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.notificationWebhook.create({ data: { tenantId: ctx.tenant.id, url: "https://hooks.example.com/x", secretSealed: "unused", createdById: ctx.owner.user.id } }));
    for (let i = 0; i < 3; i++) expect((await call(ctx.token, refund(100 + i))).body.result).toMatchObject({ status: 401 });
    await expect.poll(async () => (await listConnections({ tenantId: ctx.tenant.id }))[0]!.lastFailureMessage, { timeout: 10_000 }).toMatch(/refused the credential/);
    await expect.poll(async () => (await serverEvents(ctx.tenant.id)).filter((e) => e.type === "gateway.result").length, { timeout: 10_000 }).toBe(3);
    const deliveries = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.notificationDelivery.findMany({ where: { tenantId: ctx.tenant.id } }));
    expect(deliveries.filter((d) => JSON.stringify(d).includes("connection.refused"))).toHaveLength(1);
  });

  it("denies decisions-only use of an enforced tool when the tenant requires the gateway", async () => {
    const ctx = await setup();
    const ask = async () => {
      const res = await decisionsPost(
        new Request("http://gatehouse.test/api/v1/decisions", { method: "POST", headers: { authorization: `Bearer ${ctx.token}`, "content-type": "application/json" }, body: JSON.stringify({ run_id: "r", tool: "stripe", operation: "refunds.create", ...refund(5) }) }),
        { params: Promise.resolve({}) },
      );
      return (await res.json()) as Answer;
    };
    expect((await ask()).decision).toBe("allow");
    await updateGatewaySettings({ actor: ctx.owner, settings: { enforceGatewayForEnforcedTools: true } });
    await expect.poll(async () => (await ask()).reasons![0]!.code, { timeout: 5_000 }).toBe("gateway_required");
    // The gateway itself still calls it.
    expect((await call(ctx.token, refund(5))).body.decision).toBe("allow");
  });
});

async function createApprover(tenant: { id: string; slug: string; name: string }): Promise<MemberContext> {
  const user = await createUser();
  await withTenant({ tenantId: tenant.id }, (tx) => tx.membership.create({ data: { tenantId: tenant.id, userId: user.id, role: "approver" } }));
  return { user: { id: user.id, email: user.email, name: user.name }, role: "approver", tenant };
}
