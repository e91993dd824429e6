/**
 * Issue 5, notifications: the tenant webhook through the real queue and worker code, against
 * a local HTTP receiver that checks the HMAC signature the way docs/APPROVALS.md tells
 * receivers to.
 */
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { promisify } from "node:util";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { QueueEvents, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import { closeQueues, enqueue, queueConnection, queuePrefix } from "@/lib/queue/registry";
import { createTestTenant } from "@/lib/testing/factories";
import { processNotifications } from "@/workers/notifications";
import { getNotificationSettings, regenerateWebhookSecret, saveWebhook, sendTestNotification } from "./manage-webhook";
import { notifyTenant } from "./notify-tenant";
import { queueNotification } from "./queue-notification";
import { webhookInput } from "./schemas";
import { verifySignature } from "./sign";

type Received = { path: string; headers: IncomingHttpHeaders; body: string; at: number };

/** A webhook receiver: answers each path's scripted statuses in turn (then 200). */
function receiver() {
  const received: Received[] = [];
  const script = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      const status = script.get(path)?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "nope");
    });
  });
  return {
    received,
    script,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const hook = receiver();
let base = "";
let worker: Worker;
let events: QueueEvents;

beforeAll(async () => {
  base = await hook.start();
  worker = new Worker("notifications", processNotifications, { connection: queueConnection(), prefix: queuePrefix(), concurrency: 4 });
  events = new QueueEvents("notifications", { connection: queueConnection(), prefix: queuePrefix() });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
});

afterAll(async () => {
  await worker?.close();
  await events?.close();
  await closeQueues();
  await hook.close();
});

async function tenantWithWebhook(path: string) {
  const { tenant, owner } = await createTestTenant();
  const saved = await saveWebhook({ actor: owner, webhook: { url: `${base}${path}`, enabled: true } });
  expect(saved.secret).toMatch(/^whsec_/);
  return { tenant, owner, secret: saved.secret! };
}

const delivery = (tenantId: string, id: string) => withTenant({ tenantId }, (tx) => tx.notificationDelivery.findUniqueOrThrow({ where: { id } }));
const deliveriesOf = (tenantId: string) => withTenant({ tenantId }, (tx) => tx.notificationDelivery.findMany({ where: { tenantId }, orderBy: { createdAt: "asc" } }));

describe("tenant webhook", () => {
  it("refuses URLs that are not http(s)", () => {
    for (const url of ["file:///etc/passwd", "ftp://example.com/x", "javascript:alert(1)", "gopher://x", "not a url", "http://"]) {
      expect(webhookInput.safeParse({ url }).success, url).toBe(false);
    }
    expect(webhookInput.safeParse({ url: "https://hooks.slack.com/services/T/B/x" }).success).toBe(true);
  });

  it("is a no-op without an enabled webhook, and never throws", async () => {
    const { tenant, owner } = await createTestTenant();
    await expect(notifyTenant(tenant.id, { kind: "quota.threshold", text: "80% of writes_per_day" })).resolves.toBeUndefined();
    expect(await deliveriesOf(tenant.id)).toEqual([]);
    await saveWebhook({ actor: owner, webhook: { url: `${base}/disabled`, enabled: false } });
    await notifyTenant(tenant.id, { kind: "quota.threshold", text: "80% of writes_per_day" });
    expect(await deliveriesOf(tenant.id)).toEqual([]);
    await expect(notifyTenant("ten_does_not_exist", { kind: "x", text: "y" })).resolves.toBeUndefined();
  });

  it("never throws into the caller when Redis is unreachable: returns within seconds, the delivery stays pending for the sweep", async () => {
    const { tenant } = await tenantWithWebhook("/later");
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "lib/testing/notify-without-redis.ts", tenant.id], {
      env: { ...process.env, REDIS_URL: "redis://127.0.0.1:1" },
      timeout: 20_000,
    });
    const answer = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(answer).toMatchObject({ returned: true });
    expect(answer.ms).toBeLessThan(5_000);
    const [row] = await deliveriesOf(tenant.id);
    expect(row).toMatchObject({ status: "pending", attempts: 0, lastAttemptAt: null });
    // The every-minute sweep dispatches it once it is older than 30 s.
    const { redispatchStaleDeliveries } = await import("./redispatch-deliveries");
    expect(await redispatchStaleDeliveries({ tenantId: tenant.id, now: new Date(Date.now() + 60_000) })).toBe(1);
    await expect.poll(async () => (await delivery(tenant.id, row!.id)).status, { timeout: 10_000 }).toBe("delivered");
  }, 30_000);

  it("delivers Slack-compatible JSON signed with HMAC-SHA256 over `<t>.<body>`", async () => {
    const { tenant, secret } = await tenantWithWebhook("/signed");
    await notifyTenant(tenant.id, { kind: "quota.threshold", text: "refund-bot used 80% of *writes_per_day*", data: { quota: "writes_per_day", percent: 80 } });
    await expect.poll(() => hook.received.filter((r) => r.path === "/signed").length, { timeout: 10_000 }).toBe(1);
    const request = hook.received.find((r) => r.path === "/signed")!;

    const header = request.headers["x-gatehouse-signature"] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(header)!;
    // What a receiver does, by hand: HMAC-SHA256(secret, "<t>.<raw body>") in hex.
    expect(createHmac("sha256", secret).update(`${t}.${request.body}`).digest("hex")).toBe(v1);
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
    expect(verifySignature({ secret, body: request.body, header })).toBe(true);
    expect(verifySignature({ secret: "whsec_wrong", body: request.body, header })).toBe(false);
    expect(verifySignature({ secret, body: `${request.body} `, header })).toBe(false);

    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-gatehouse-event"]).toBe("quota.threshold");
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({
      text: "refund-bot used 80% of *writes_per_day*",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "refund-bot used 80% of *writes_per_day*" } }, { type: "context" }],
      gatehouse: { kind: "quota.threshold", tenant_id: tenant.id, data: { quota: "writes_per_day", percent: 80 } },
    });
    expect(request.headers["x-gatehouse-delivery"]).toBe(body.gatehouse.delivery_id);

    const row = await delivery(tenant.id, body.gatehouse.delivery_id);
    await expect.poll(async () => (await delivery(tenant.id, row.id)).status).toBe("delivered");
    expect(await delivery(tenant.id, row.id)).toMatchObject({ attempts: 1, lastStatus: 200, lastError: null });
  });

  it("retries on 500 with backoff, then succeeds", async () => {
    const { tenant } = await tenantWithWebhook("/flaky");
    hook.script.set("/flaky", [500]);
    await notifyTenant(tenant.id, { kind: "approval.requested", text: "refund needs approval" });
    await expect.poll(() => hook.received.filter((r) => r.path === "/flaky").length, { timeout: 15_000, interval: 100 }).toBe(2);
    const [first, second] = hook.received.filter((r) => r.path === "/flaky");
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_500); // the queue's exponential backoff starts at 2 s
    expect(second!.body).toBe(first!.body); // the same message, signed afresh
    const [row] = await deliveriesOf(tenant.id);
    await expect.poll(async () => (await delivery(tenant.id, row!.id)).status, { timeout: 5_000 }).toBe("delivered");
    expect(await delivery(tenant.id, row!.id)).toMatchObject({ attempts: 2, lastStatus: 200, lastError: null });
  }, 30_000);

  it("records the failure after the last attempt, with the last HTTP status and error", async () => {
    const { tenant } = await tenantWithWebhook("/down");
    hook.script.set("/down", [503, 503, 503, 503]);
    // The real delivery path with a short retry schedule (the queue's own is 6 attempts over a minute).
    const id = (await withTenant({ tenantId: tenant.id }, (tx) => queueNotification(tx, tenant.id, { kind: "approval.escalated", text: "escalated to security" })))!;
    const job = await enqueue("notifications", "notification.deliver", { tenantId: tenant.id, deliveryId: id }, { jobId: id, attempts: 3, backoff: { type: "fixed", delay: 100 } });
    await expect(job.waitUntilFinished(events, 15_000)).rejects.toThrow(/failed after 3 attempts/);
    expect(hook.received.filter((r) => r.path === "/down")).toHaveLength(3);
    expect(await delivery(tenant.id, id)).toMatchObject({ status: "failed", attempts: 3, lastStatus: 503, lastError: "HTTP 503 Service Unavailable" });
  }, 30_000);

  it("records a connection failure, and lists deliveries with their status for the settings page", async () => {
    const { tenant, owner } = await createTestTenant();
    // A port nobody listens on: refused at once.
    const closed = receiver();
    const url = await closed.start();
    await closed.close();
    const { secret } = await saveWebhook({ actor: owner, webhook: { url: `${url}/gone`, enabled: true } });
    const id = (await withTenant({ tenantId: tenant.id }, (tx) => queueNotification(tx, tenant.id, { kind: "test", text: "hello" })))!;
    const job = await enqueue("notifications", "notification.deliver", { tenantId: tenant.id, deliveryId: id }, { jobId: id, attempts: 2, backoff: { type: "fixed", delay: 50 } });
    await expect(job.waitUntilFinished(events, 15_000)).rejects.toThrow();
    const settings = await getNotificationSettings({ tenantId: tenant.id });
    expect(settings.webhook).toMatchObject({ url: `${url}/gone`, enabled: true });
    expect(JSON.stringify(settings)).not.toContain(secret!); // the secret is never listed, only a hint
    expect(settings.webhook!.secretHint).toBe(`${secret!.slice(0, 6)}…${secret!.slice(-4)}`);
    expect(settings.deliveries).toEqual([
      expect.objectContaining({ id, kind: "test", text: "hello", status: "failed", attempts: 2, lastStatus: null, lastError: expect.stringMatching(/ECONNREFUSED/) }),
    ]);
  }, 30_000);

  it("send test: delivered with the current secret; regenerating the secret changes the signature key and is audited", async () => {
    const { tenant, owner, secret } = await tenantWithWebhook("/test");
    const { secret: fresh } = await regenerateWebhookSecret({ actor: owner });
    expect(fresh).not.toBe(secret);
    const { deliveryId } = await sendTestNotification({ actor: owner });
    await expect.poll(async () => (await delivery(tenant.id, deliveryId)).status, { timeout: 10_000 }).toBe("delivered");
    const request = hook.received.find((r) => r.path === "/test")!;
    expect(verifySignature({ secret: fresh, body: request.body, header: request.headers["x-gatehouse-signature"] as string })).toBe(true);
    expect(verifySignature({ secret, body: request.body, header: request.headers["x-gatehouse-signature"] as string })).toBe(false);
    const actions = await withTenant({ tenantId: tenant.id }, (tx) => tx.auditEntry.findMany({ where: { tenantId: tenant.id, action: { startsWith: "notifications." } }, orderBy: { seq: "asc" } }));
    expect(actions.map((a) => a.action)).toEqual(["notifications.webhook_created", "notifications.secret_regenerated", "notifications.test_sent"]);
    expect(JSON.stringify(actions.map((a) => [a.before, a.after]))).not.toContain(fresh);
  });
});
