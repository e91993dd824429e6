/**
 * A decision Postgres could not record must be refused before it is made (issue 13 §1):
 * otherwise an allowed action leaves no trace in the audit log or the run timeline.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { QueueEvents } from "bullmq";
import { startDecisionsWorker, type DecisionsWorker } from "@/lib/testing/decisions-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import { closeQueues, queueConnection, queuePrefix } from "@/lib/queue/registry";
import { listRunEvents } from "@/lib/runs/list-run-events";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { serveRoute } from "@/lib/http/node-handler";
import { AGENT_API_ROUTES } from "@/servers/agent-api-routes";
import { POST } from "./route";

type Answer = { decision_id?: string; decision?: string; error?: { code: string; message: string; details: { path: string; message: string }[] } };

/** `rawArgs` is spliced in as text: JSON.stringify itself overflows on 10,000 levels. */
async function decide(token: string, body: Record<string, unknown>, rawArgs?: string): Promise<{ status: number; body: Answer }> {
  let text = JSON.stringify({ tool: "webhooks", operation: "send", args: rawArgs === undefined ? { url: "https://example.test/hook" } : "$args", ...body });
  if (rawArgs !== undefined) text = text.replace('"$args"', rawArgs);
  const res = await POST(
    new Request("http://gatehouse.test/api/v1/decisions", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: text }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, body: (await res.json()) as Answer };
}

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

describe("POST /api/v1/decisions with values Postgres cannot store", () => {
  it("answers 400 naming the path for a NUL, a lone surrogate or 10,000-deep args, records nothing, and still records a valid decision", async () => {
    const { tenant, owner, token } = await createPolicyTenant();
    await publishRules(owner, [rule({ tool: "webhooks", operations: ["send"] })]);

    const nulRun = await decide(token, { run_id: "run\u0000x" });
    expect(nulRun.status).toBe(400);
    expect(nulRun.body.error).toMatchObject({ code: "validation_failed", details: [{ path: "run_id", message: expect.stringContaining("NUL") }] });

    const surrogate = await decide(token, { run_id: "run_ok", args: { url: "https://example.test/hook", body: "\udc00" } });
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.error?.details).toEqual([{ path: "args.body", message: expect.stringContaining("surrogate") }]);

    const inContext = await decide(token, { run_id: "run_ok", context: { "why\u0000": "x" } });
    expect(inContext.status).toBe(400);
    expect(inContext.body.error?.details[0]?.path).toBe("context.why\u0000");

    const inResource = await decide(token, { run_id: "run_ok", resource: { type: "hook", id: "h\ud800" } });
    expect(inResource.status).toBe(400);
    expect(inResource.body.error?.details[0]?.path).toBe("resource.id");

    const deep = await decide(token, { run_id: "run_ok" }, `{"url":"https://example.test/hook","body":${"[".repeat(10_000)}1${"]".repeat(10_000)}}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatchObject({ code: "validation_failed", details: [{ path: expect.stringMatching(/^args\.body\.0\.0/), message: expect.stringContaining("deeper") }] });

    // A valid decision afterwards is recorded: row, audit entry, timeline event; and it is the only one.
    const ok = await decide(token, { run_id: "run_ok" });
    expect(ok.status).toBe(200);
    expect(ok.body.decision).toBe("allow");
    await expect
      .poll(() => withTenant({ tenantId: tenant.id }, (tx) => tx.auditEntry.findFirst({ where: { tenantId: tenant.id, action: "decision.allow", targetId: ok.body.decision_id } })), { timeout: 10_000 })
      .toBeTruthy();
    const timeline = await listRunEvents({ tenantId: tenant.id, externalId: "run_ok", limit: 100 });
    expect(timeline.events).toEqual([expect.objectContaining({ id: ok.body.decision_id, type: "decision", source: "server", decision: "allow" })]);
    const decisions = await withTenant({ tenantId: tenant.id }, (tx) => tx.decision.findMany({ where: { tenantId: tenant.id } }));
    expect(decisions.map((d) => d.id)).toEqual([ok.body.decision_id]);
  });

  it("answers the same on the agent API server (:3001): 400 for decisions, a rejected entry for events", async () => {
    const server: Server = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { owner, token } = await createPolicyTenant();
      await publishRules(owner, [rule({ tool: "webhooks", operations: ["send"] })]);
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const deep = `${"[".repeat(10_000)}1${"]".repeat(10_000)}`;

      const nul = await fetch(`${base}/api/v1/decisions`, { method: "POST", headers, body: JSON.stringify({ run_id: "run\u0000x", tool: "webhooks", operation: "send", args: { url: "u" } }) });
      expect(nul.status).toBe(400);
      expect(await nul.json()).toMatchObject({ error: { code: "validation_failed", details: [{ path: "run_id" }] } });
      const deepArgs = await fetch(`${base}/api/v1/decisions`, { method: "POST", headers, body: `{"run_id":"r","tool":"webhooks","operation":"send","args":{"url":${deep}}}` });
      expect(deepArgs.status).toBe(400);

      const events = await fetch(`${base}/api/v1/events`, {
        method: "POST",
        headers,
        body: `{"events":[{"id":"a","run_id":"r","type":"log","level":"info","message":"ok"},{"id":"b","run_id":"r","type":"log","level":"info","message":"x","args":${deep}},{"id":"c","run_id":"r","type":"log","level":"info","message":"\\udc00"}]}`,
      });
      expect(events.status).toBe(202);
      expect(await events.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1 }, { index: 2 }] });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
