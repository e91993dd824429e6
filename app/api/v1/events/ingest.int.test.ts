/**
 * POST /api/v1/events → queue → worker → Postgres, and the read API, through the real
 * route handlers, BullMQ on the real Redis and the real database. The worker runs in this
 * process (workers/ingest.ts's processor), started and paused per test as needed.
 */
import { Worker } from "bullmq";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "@/lib/audit/chain";
import { signAgentToken } from "@/lib/agents/agent-token";
import { authState } from "@/lib/agents/auth-state";
import { ensureSigningKey } from "@/lib/agents/signing-keys";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { env } from "@/lib/env";
import { QUEUES, queueConnection, queuePrefix } from "@/lib/queue/registry";
import { recordServerEvents } from "@/lib/runs/record-server-events";
import { createTestAgent, createTestCredential, createTestTenant, uniq } from "@/lib/testing/factories";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { GET as getRunRoute } from "@/app/api/v1/runs/[run_id]/route";
import { GET as getEventsRoute } from "@/app/api/v1/runs/[run_id]/events/route";
import { ingestBackoff, processIngest } from "@/workers/ingest";
import { closeDedupeRedis, eventIdHashes } from "@/lib/ingest/dedupe";
import { closeIngestQueue, ingestQueue } from "@/lib/ingest/ingest-events";
import { sha256 } from "@/lib/sha256";
import { forgetRedactionPaths } from "@/lib/ingest/redaction-settings";

const ctx = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });

type Agent = { tenantId: string; agentId: string; token: string };

async function newAgent(tenantId?: string): Promise<Agent> {
  await ensureSigningKey();
  let tid = tenantId;
  let ownerId: string;
  if (!tid) {
    const { tenant, owner } = await createTestTenant();
    tid = tenant.id;
    ownerId = owner.user.id;
  } else {
    ownerId = (await withTenant({ tenantId: tid }, (tx) => tx.membership.findFirstOrThrow({ where: { tenantId: tid, role: "owner" } }))).userId;
  }
  const agent = await createTestAgent(tid, ownerId);
  const credential = await createTestCredential(tid, agent.id);
  const { token } = await signAgentToken({ agentId: agent.id, tenantId: tid, credentialId: credential.id, ttlSeconds: 600 });
  return { tenantId: tid, agentId: agent.id, token };
}

/** `deep` is spliced in as text: JSON.stringify itself overflows the stack on 10,000 levels. */
async function post(agent: Agent, events: unknown[], deep?: string) {
  const res = await postEvents(
    new Request("http://x/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${agent.token}`, "content-type": "application/json" },
      body: deep === undefined ? JSON.stringify({ events }) : JSON.stringify({ events }).replace('"$deep"', deep),
    }),
    ctx(),
  );
  return { status: res.status, body: (await res.json()) as { accepted: number; duplicates: number; rejected: { index: number; error: { code: string; details: { path: string }[] } }[]; error?: { code: string } }, headers: res.headers };
}

async function getRun(agent: Agent, runId: string) {
  const res = await getRunRoute(new Request(`http://x/api/v1/runs/${runId}`, { headers: { authorization: `Bearer ${agent.token}` } }), ctx({ run_id: runId }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { totals: { events: number } } };
}

async function getEvents(agent: Agent, runId: string, query = "") {
  const res = await getEventsRoute(
    new Request(`http://x/api/v1/runs/${runId}/events${query}`, { headers: { authorization: `Bearer ${agent.token}` } }),
    ctx({ run_id: runId }),
  );
  return { status: res.status, body: (await res.json()) as { events: Record<string, unknown>[]; next: string | null } };
}

async function allEvents(agent: Agent, runId: string, limit = 100) {
  const out: Record<string, unknown>[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const { status, body } = await getEvents(agent, runId, `?limit=${limit}${after ? `&after=${after}` : ""}`);
    expect(status).toBe(200);
    out.push(...body.events);
    after = body.next;
    pages++;
  } while (after && pages < 1000);
  return out;
}

/** Waits until the run summary counts `events` (the worker has written them). */
async function waitForRun(agent: Agent, runId: string, events: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await getRun(agent, runId);
    if (status === 200 && body.totals.events >= events) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} has ${status === 200 ? body.totals.events : status} events, expected ${events}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ts = (s: number) => new Date(Date.UTC(2026, 10, 21, 9, 0, s)).toISOString();
let worker: Worker | null = null;
let owner: pg.Client;

function startWorker() {
  worker ??= new Worker(QUEUES.ingest.name, processIngest, {
    connection: queueConnection(),
    prefix: queuePrefix(),
    concurrency: 16,
    settings: { backoffStrategy: ingestBackoff },
  });
}
async function stopWorker() {
  await worker?.close();
  worker = null;
}

beforeAll(async () => {
  owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await owner.connect();
  startWorker();
});

afterAll(async () => {
  await stopWorker();
  await closeIngestQueue();
  await closeDedupeRedis();
  await authState.close();
  await owner.end();
  await db().$disconnect();
});

describe("POST /api/v1/events", () => {
  it("accepts the good events of a mixed batch, lists the bad ones, and stores only the good", async () => {
    const agent = await newAgent();
    const run = `run_${uniq()}`;
    const { status, body } = await post(agent, [
      { id: "e1", run_id: run, type: "run.started", ts: ts(0), input: { kind: "ticket", ref: "ZD-1" }, model: { provider: "openai", name: "gpt-x" } },
      { id: "e2", run_id: run, type: "model.call", ts: ts(1), model: "gpt-x", input_tokens: 4120, output_tokens: 980, cost_usd: 0.27, latency_ms: 1840 },
      { id: "e3", run_id: run, type: "tool.call", ts: ts(2), tool: "stripe", operation: "refunds.create", status: "bogus" },
      { id: "e4", run_id: run, type: "tool.call", ts: ts(3), tool: "stripe", operation: "refunds.create", args: { charge_id: "ch_1" }, status: "error", error: "card_declined" },
      { id: "e5", run_id: run, type: "decision", ts: ts(4), decision: "allow" }, // server-only type
      { id: "e6", run_id: run, type: "side_effect", ts: ts(5), system: "stripe", object_type: "refund", object_id: `re_${uniq()}` },
      { run_id: run, type: "log", level: "info", message: "no id" },
      { id: "e8", run_id: run, type: "run.finished", ts: ts(6), outcome: "failed", reason: "card declined" },
    ]);
    expect(status).toBe(202);
    expect(body.accepted).toBe(5);
    expect(body.duplicates).toBe(0);
    expect(body.rejected.map((r) => r.index)).toEqual([2, 4, 6]);
    expect(body.rejected[0]!.error).toMatchObject({ code: "validation_failed", details: [{ path: "status" }] });
    expect(body.rejected[2]!.error.details).toEqual([expect.objectContaining({ path: "id" })]);

    const summary = await waitForRun(agent, run, 5);
    expect(summary).toMatchObject({
      run_id: run, status: "finished", outcome: "failed", started_at: ts(0), finished_at: ts(6), duration_ms: 6000,
      agent: { id: agent.agentId }, model: { provider: "openai", name: "gpt-x" },
      totals: { events: 5, tool_calls: 1, errors: 1, input_tokens: 4120, output_tokens: 980, tokens: 5100, cost_usd: 0.27, side_effects: 1 },
    });
    const events = await allEvents(agent, run);
    expect(events.map((e) => e.id)).toEqual(["e1", "e2", "e4", "e6", "e8"]);
    expect(events.every((e) => e.source === "agent" && e.agent_id === agent.agentId)).toBe(true);
    expect(events[2]).toMatchObject({ type: "tool.call", tool: "stripe", status: "error", error: "card_declined", args: { charge_id: "ch_1" } });
  });

  it("rejects an event Postgres could not store (lone surrogate, NUL, 10,000-deep JSON) by index, and stores the good events of its batch", async () => {
    const agent = await newAgent();
    const run = `run_${uniq()}`;
    const deep = `${"[".repeat(10_000)}1${"]".repeat(10_000)}`;
    const { status, body } = await post(agent, [
      { id: "p1", run_id: run, type: "log", ts: ts(0), level: "info", message: "first" },
      { id: "p2", run_id: run, type: "log", ts: ts(1), level: "info", message: "lone \udc00 surrogate" },
      { id: "p3", run_id: run, type: "log", ts: ts(2), level: "info", message: "third" },
      { id: "p4", run_id: `run\u0000${uniq()}`, type: "log", ts: ts(3), level: "info", message: "nul in run id" },
      { id: "p5", run_id: run, type: "tool.call", ts: ts(4), tool: "t", operation: "o", status: "ok", args: "$deep" },
    ], deep);
    expect(status).toBe(202);
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => [r.index, r.error.code, r.error.details[0]!.path])).toEqual([
      [1, "validation_failed", "message"],
      [3, "validation_failed", "run_id"],
      [4, "validation_failed", expect.stringMatching(/^args\.0\.0\./)],
    ]);
    await waitForRun(agent, run, 2);
    expect((await allEvents(agent, run)).map((e) => e.id)).toEqual(["p1", "p3"]);
    // The rejected id was never claimed: sent again, fixed, it is accepted, not a duplicate.
    const again = await post(agent, [{ id: "p2", run_id: run, type: "log", ts: ts(1), level: "info", message: "fixed" }]);
    expect(again.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    await waitForRun(agent, run, 3);
  });

  it("attributes every event to the token's agent, whatever the body claims", async () => {
    const agent = await newAgent();
    const run = `run_${uniq()}`;
    await post(agent, [{ id: "x1", run_id: run, type: "log", ts: ts(0), level: "info", message: "hi", agent_id: "agt_someone_else", source: "server" }]);
    await waitForRun(agent, run, 1);
    const [event] = await allEvents(agent, run);
    expect(event).toMatchObject({ agent_id: agent.agentId, source: "agent", message: "hi" });
  });

  it("stores duplicates once across retries, overlapping batches and racing requests, and counts them", async () => {
    const agent = await newAgent();
    const run = `run_${uniq()}`;
    const ev = (i: number) => ({ id: `d${i}`, run_id: run, type: "log", ts: ts(i), level: "info", message: `m${i}` });

    expect((await post(agent, [ev(1), ev(2), ev(3)])).body).toMatchObject({ accepted: 3, duplicates: 0 });
    expect((await post(agent, [ev(1), ev(2), ev(3)])).body).toMatchObject({ accepted: 0, duplicates: 3 });
    expect((await post(agent, [ev(2), ev(3), ev(4), ev(4)])).body).toMatchObject({ accepted: 1, duplicates: 3 });
    // An invalid event is rejected, not counted as a duplicate, even under an accepted id.
    const mixed = await post(agent, [{ ...ev(1), type: "not-a-type" }, { ...ev(100), run_id: `run_${uniq()}` }]);
    expect(mixed.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(mixed.body.rejected.map((r) => r.index)).toEqual([0]);

    // Five identical requests at once: each event accepted exactly once in total.
    const racing = await Promise.all(Array.from({ length: 5 }, () => post(agent, [ev(5), ev(6)])));
    expect(racing.reduce((n, r) => n + r.body.accepted, 0)).toBe(2);
    expect(racing.reduce((n, r) => n + r.body.duplicates, 0)).toBe(8);

    // Redis forgot the ids (TTL passed): reported as accepted, still stored once (Postgres key).
    const redis = (await import("@/lib/redis")).createRedis();
    const { current } = eventIdHashes(agent.agentId, env().INGEST_DEDUPE_TTL_SECONDS);
    expect((await redis.hkeys(current)).sort()).toEqual(["d1", "d100", "d2", "d3", "d4", "d5", "d6"]);
    await redis.del(current);
    redis.disconnect();
    expect((await post(agent, [ev(1), ev(6)])).body).toMatchObject({ accepted: 2, duplicates: 0 });

    // Another agent may use the same ids: they are its own events.
    const other = await newAgent(agent.tenantId);
    expect((await post(other, [ev(1)])).body).toMatchObject({ accepted: 1 });

    await waitForRun(agent, run, 7);
    await new Promise((r) => setTimeout(r, 500)); // let the re-sent ids reach the worker too
    const rows = await owner.query(`SELECT "agentId", "eventKey" FROM run_events WHERE "tenantId" = $1 AND "runExternalId" = $2`, [agent.tenantId, run]);
    expect(rows.rows.filter((r) => r.agentId === agent.agentId).map((r) => r.eventKey).sort()).toEqual(["d1", "d2", "d3", "d4", "d5", "d6"]);
    expect(rows.rows.filter((r) => r.agentId === other.agentId)).toHaveLength(1);
    const summary = await getRun(agent, run);
    expect(summary.body.totals.events).toBe(7); // the summary counts stored events only
  });

  it("redacts secrets and configured paths before anything is queued or stored, and keeps the original's hash", async () => {
    const agent = await newAgent();
    await withTenant({ tenantId: agent.tenantId }, (tx) =>
      tx.tenant.update({ where: { id: agent.tenantId }, data: { settings: { redaction: { paths: ["args.card.number", "output.customer.email"] } } } }),
    );
    await forgetRedactionPaths(agent.tenantId);
    const run = `run_${uniq()}`;
    const bearer = `tok${uniq()}${uniq()}${uniq()}`;
    const apiKey = `sk-proj-${uniq()}${uniq()}${uniq()}${uniq()}`;
    const card = `4242${uniq()}4242`;
    const email = `jane.${uniq()}@example.test`;
    const original = {
      id: "s1", run_id: run, type: "tool.call", ts: ts(0), tool: "http", operation: "post", status: "ok",
      args: { headers: { Authorization: `Bearer ${bearer}` }, note: `use key ${apiKey}`, card: { number: card, brand: "visa" } },
      output: { customer: { email, name: "Jane" } },
    };

    await stopWorker(); // look at the queued job before any worker takes it
    expect((await post(agent, [original])).body).toMatchObject({ accepted: 1 });
    const waiting = await ingestQueue().getJobs(["wait"]);
    const job = waiting.find((j) => JSON.stringify(j.data).includes(run));
    expect(job).toBeDefined();
    for (const secret of [bearer, apiKey, card, email]) expect(JSON.stringify(job!.data)).not.toContain(secret);
    startWorker();

    await waitForRun(agent, run, 1);
    const [event] = await allEvents(agent, run);
    expect(event).toMatchObject({
      args: { headers: { Authorization: "[REDACTED]" }, note: "use key [REDACTED:api_key]", card: { number: "[REDACTED]", brand: "visa" } },
      output: { customer: { email: "[REDACTED]", name: "Jane" } },
      payload_sha256: sha256(canonicalJson(original)),
    });
    expect((event!.redacted as string[]).sort()).toEqual(["args.card.number", "args.headers.Authorization", "args.note", "output.customer.email"]);
    // Nowhere in Postgres: every text and JSON column of every table of this tenant.
    const { rows } = await owner.query<{ table_name: string }>(
      `SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenantId'`,
    );
    for (const { table_name } of rows) {
      const dump = await owner.query(`SELECT t::text AS row FROM ${pg.escapeIdentifier(table_name)} t WHERE "tenantId" = $1`, [agent.tenantId]);
      const text = dump.rows.map((r) => r.row).join("\n");
      for (const secret of [bearer, apiKey, card, email]) expect(text, `${secret} in ${table_name}`).not.toContain(secret);
    }
  });

  it("stores keys named __proto__ as sent, at the top and nested (JSON.parse makes them ordinary keys)", async () => {
    const agent = await newAgent();
    const run = `run_${uniq()}`;
    // Built from JSON text: an object literal's "__proto__" would set the prototype instead.
    const original = JSON.parse(
      `{"id":"p1","run_id":"${run}","type":"tool.call","ts":"${ts(0)}","tool":"t","operation":"o","status":"ok","__proto__":{"top":1},"args":{"__proto__":{"nested":2},"a":3}}`,
    );
    expect((await post(agent, [original])).body).toMatchObject({ accepted: 1 });
    await waitForRun(agent, run, 1);
    const [event] = await allEvents(agent, run);
    expect(Object.getOwnPropertyDescriptor(event, "__proto__")?.value).toEqual({ top: 1 });
    const args = event!.args as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(args, "__proto__")?.value).toEqual({ nested: 2 });
    expect(args.a).toBe(3);
    expect(event!.payload_sha256).toBe(sha256(canonicalJson(original)));
  });

  it("answers 400 for a bad envelope, 401 without a token", async () => {
    const agent = await newAgent();
    expect((await post(agent, [])).status).toBe(400);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ id: `t${i}`, run_id: "r", type: "log", level: "info", message: "x" }));
    const res = await post(agent, tooMany);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe("validation_failed");
    expect((await post({ ...agent, token: "nope" }, [{}])).status).toBe(401);
  });

  it("answers 429 with Retry-After when the queue is too deep, and 503 with Retry-After when Redis is down; nothing is accepted", async () => {
    const agent = await newAgent();
    const run = `run_${uniq()}`;
    await stopWorker();
    const settings = env();
    const before = { backlog: settings.INGEST_MAX_BACKLOG, url: settings.REDIS_URL };
    try {
      const waiting = await ingestQueue().getWaitingCount();
      settings.INGEST_MAX_BACKLOG = waiting + 1;
      expect((await post(agent, [{ id: "b1", run_id: run, type: "log", level: "info", message: "fits" }])).status).toBe(202);
      await new Promise((r) => setTimeout(r, 300)); // the backlog reading is cached for 250 ms
      const limited = await post(agent, [{ id: "b2", run_id: run, type: "log", level: "info", message: "too deep" }]);
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBe("2");
      expect(limited.body.error?.code).toBe("rate_limited");

      settings.INGEST_MAX_BACKLOG = before.backlog;
      await closeIngestQueue();
      await closeDedupeRedis();
      settings.REDIS_URL = "redis://127.0.0.1:1"; // nothing listens there
      const started = Date.now();
      const down = await post(agent, [{ id: "b3", run_id: run, type: "log", level: "info", message: "redis down" }]);
      expect(down.status).toBe(503);
      expect(down.headers.get("retry-after")).toBe("5");
      expect(down.body.error?.code).toBe("dependency_unavailable");
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      settings.INGEST_MAX_BACKLOG = before.backlog;
      settings.REDIS_URL = before.url;
      await closeIngestQueue();
      await closeDedupeRedis();
      startWorker();
    }
    // b2 and b3 were refused, so sending them again is accepted (not reported as duplicates).
    expect((await post(agent, [{ id: "b2", run_id: run, type: "log", level: "info", message: "again" }])).body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await post(agent, [{ id: "b3", run_id: run, type: "log", level: "info", message: "again" }])).body).toMatchObject({ accepted: 1, duplicates: 0 });
    await waitForRun(agent, run, 3);
  });
});

describe("GET /api/v1/runs/{run_id} and /events", () => {
  it("answers 404 for another tenant's run id, and the same run id in two tenants is two runs", async () => {
    const a = await newAgent();
    const b = await newAgent();
    const run = `run_${uniq()}`;
    await post(a, [{ id: "1", run_id: run, type: "log", ts: ts(0), level: "info", message: "tenant A" }]);
    await waitForRun(a, run, 1);
    const cross = await getRun(b, run);
    expect(cross.status).toBe(404);
    expect(cross.body).toEqual({ error: { code: "not_found", message: "Run not found." } });
    expect((await getEvents(b, run)).status).toBe(404);
    expect((await getRun(a, "run_that_does_not_exist")).status).toBe(404);

    await post(b, [{ id: "1", run_id: run, type: "log", ts: ts(0), level: "warn", message: "tenant B" }]);
    await waitForRun(b, run, 1);
    expect((await allEvents(a, run)).map((e) => e.message)).toEqual(["tenant A"]);
    expect((await allEvents(b, run)).map((e) => e.message)).toEqual(["tenant B"]);
  });

  it("pages the timeline in (ts, id) order with server records marked, whatever the arrival order", async () => {
    const agent = await newAgent();
    const run = `run_${uniq()}`;
    // 250 events, sent in three shuffled batches; several share a timestamp.
    const all = Array.from({ length: 250 }, (_, i) => ({ id: `p${String(i).padStart(3, "0")}`, run_id: run, type: "log", ts: ts(Math.floor(i / 3)), level: "info", message: `#${i}` }));
    const shuffled = [...all].sort(() => Math.random() - 0.5);
    for (const chunk of [shuffled.slice(0, 100), shuffled.slice(100, 180), shuffled.slice(180)]) {
      expect((await post(agent, chunk)).body.accepted).toBe(chunk.length);
    }
    await withTenant({ tenantId: agent.tenantId }, (tx) =>
      recordServerEvents(tx, {
        tenantId: agent.tenantId,
        events: [{ agentId: agent.agentId, runExternalId: run, key: "dec_test_1", type: "decision", ts: new Date(ts(10)), payload: { decision: "deny", tool: "stripe", operation: "refunds.create", policy_version: 7 } }],
      }),
    );
    await waitForRun(agent, run, 251);

    const events = await allEvents(agent, run, 37);
    expect(events).toHaveLength(251);
    expect(new Set(events.map((e) => e.id)).size).toBe(251);
    const keys = events.map((e) => [e.ts as string, e.source as string] as const);
    const sorted = [...keys].sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0));
    expect(keys.map((k) => k[0])).toEqual(sorted.map((k) => k[0]));
    const server = events.filter((e) => e.source === "server");
    expect(server).toEqual([expect.objectContaining({ id: "dec_test_1", type: "decision", decision: "deny", ts: ts(10) })]);
    const summary = await getRun(agent, run);
    expect(summary.body).toMatchObject({ policy_version: 7, totals: { events: 251, decisions: 1, denials: 1 } });

    // Bad cursors are a 400, not a 500.
    expect((await getEvents(agent, run, "?after=garbage")).status).toBe(400);
    expect((await getEvents(agent, run, "?limit=5000")).status).toBe(400);
  });
});
