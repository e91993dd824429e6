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
import { AppError } from "@/lib/errors";
import { webhookSecretContext } from "./webhook-secret";
import { openSecret } from "@/lib/secrets/envelope";
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
  // The receiver listens on loopback, which outbound requests refuse unless the operator allows it.
  process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
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
    expect(await delivery(tenant.id, id)).toMatchObject({ status: "failed", attempts: 3, lastStatus: 503, lastError: "HTTP 503" });
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
      expect.objectContaining({ id, kind: "test", text: "hello", status: "failed", attempts: 2, lastStatus: null, lastError: "The target could not be reached." }),
    ]);
    // What the tenant sees is no port scanner: no system error, no address.
    expect(JSON.stringify(settings.deliveries)).not.toMatch(/ECONN|127\.0\.0\.1:\d+ |refused/i);
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

  it("refuses, at save time, a URL on an internal address in any encoding (400 validation_failed)", async () => {
    const { owner } = await createTestTenant();
    delete process.env.OUTBOUND_ALLOW_HOSTS;
    try {
      for (const url of [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/hook",
        "http://172.16.5.5/hook",
        "http://192.168.1.1/hook",
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0x7f000001/hook",
        "http://2130706433/hook",
        "http://0177.0.0.1/hook",
        "http://[fe80::1]/hook",
        "http://224.0.0.1/hook",
        "http://localhost:8080/hook", // a name that resolves to loopback
      ]) {
        const error = await saveWebhook({ actor: owner, webhook: { url, enabled: true } }).catch((e: unknown) => e);
        expect(error, url).toBeInstanceOf(AppError);
        expect((error as AppError).code, url).toBe("validation_failed");
        expect((error as AppError).message).toMatch(/internal address/);
      }
      expect((await getNotificationSettings({ tenantId: owner.tenant.id })).webhook).toBeNull();
    } finally {
      process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
    }
  });

  it("refuses to deliver to loopback without the operator allowlist, delivers with it", async () => {
    const { tenant } = await tenantWithWebhook("/allowlist");
    delete process.env.OUTBOUND_ALLOW_HOSTS;
    let refusedId: string;
    try {
      refusedId = (await withTenant({ tenantId: tenant.id }, (tx) => queueNotification(tx, tenant.id, { kind: "test", text: "refused" })))!;
      const job = await enqueue("notifications", "notification.deliver", { tenantId: tenant.id, deliveryId: refusedId }, { jobId: refusedId, attempts: 3, backoff: { type: "fixed", delay: 50 } });
      await expect(job.waitUntilFinished(events, 15_000)).rejects.toThrow();
    } finally {
      process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
    }
    // Refused for good at once (no retries), with a message that names no address.
    expect(await delivery(tenant.id, refusedId)).toMatchObject({ status: "failed", attempts: 0, lastStatus: null, lastError: expect.stringMatching(/internal address/) });
    expect((await delivery(tenant.id, refusedId)).lastError).not.toMatch(/127\.0\.0\.1/);
    expect(hook.received.filter((r) => r.path === "/allowlist")).toHaveLength(0);

    await notifyTenant(tenant.id, { kind: "test", text: "allowed" });
    await expect.poll(() => hook.received.filter((r) => r.path === "/allowlist").length, { timeout: 10_000 }).toBe(1);
  }, 30_000);

  it("stores the HMAC secret sealed: the raw table holds no plaintext, and the ciphertext is bound to its tenant", async () => {
    const { tenant, owner, secret } = await tenantWithWebhook("/sealed");
    const { secret: fresh } = await regenerateWebhookSecret({ actor: owner });
    const other = await tenantWithWebhook("/sealed-other");
    for (const id of [tenant.id, other.tenant.id]) {
      const rows = await withTenant({ tenantId: id }, (tx) => tx.$queryRaw<Record<string, unknown>[]>`SELECT * FROM notification_webhooks`);
      expect(rows).toHaveLength(1);
      const raw = JSON.stringify(rows);
      expect(raw).not.toContain(secret.slice(6));
      expect(raw).not.toContain(fresh.slice(6));
      expect(raw).not.toContain(other.secret.slice(6));
      expect(rows[0]).toMatchObject({ secret: null, secretSealed: expect.stringMatching(/^gh1\./) });
    }
    const [row] = await withTenant({ tenantId: tenant.id }, (tx) => tx.$queryRaw<{ secretSealed: string }[]>`SELECT "secretSealed" FROM notification_webhooks`);
    expect(openSecret(row!.secretSealed, webhookSecretContext(tenant.id))).toBe(fresh);
    expect(() => openSecret(row!.secretSealed, webhookSecretContext(other.tenant.id))).toThrow();
  });

  it("seals a plaintext secret from before envelope encryption on first read, and keeps signing with it", async () => {
    const { tenant, owner } = await createTestTenant();
    const legacy = "whsec_legacy_plaintext_secret_0123456789";
    await withTenant({ tenantId: tenant.id }, (tx) =>
      tx.notificationWebhook.create({ data: { tenantId: tenant.id, url: `${base}/legacy`, enabled: true, secret: legacy, createdById: owner.user.id } }),
    );
    expect((await getNotificationSettings({ tenantId: tenant.id })).webhook!.secretHint).toBe(`${legacy.slice(0, 6)}…${legacy.slice(-4)}`);
    const rows = await withTenant({ tenantId: tenant.id }, (tx) => tx.$queryRaw<Record<string, unknown>[]>`SELECT * FROM notification_webhooks`);
    expect(JSON.stringify(rows)).not.toContain(legacy);
    await notifyTenant(tenant.id, { kind: "test", text: "legacy" });
    await expect.poll(() => hook.received.filter((r) => r.path === "/legacy").length, { timeout: 10_000 }).toBe(1);
    const request = hook.received.find((r) => r.path === "/legacy")!;
    expect(verifySignature({ secret: legacy, body: request.body, header: request.headers["x-gatehouse-signature"] as string })).toBe(true);
  });
});
