/**
 * Durability: "202 means durably queued: once acknowledged, an event is never lost, even
 * if a worker or the database restarts" (API.md §4). A real worker process
 * (workers/index.ts) stores events while this test keeps sending; meanwhile the worker is
 * killed with SIGKILL and restarted, twice, and its Postgres goes away for 3 s (the
 * worker reaches Postgres through a TCP proxy here that drops every connection and
 * refuses new ones: the shared server other tests use is never stopped). At the end,
 * every acknowledged event must be stored exactly once, and the run summary must count
 * exactly those.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { createTestAgent, createTestTenant, uniq } from "@/lib/testing/factories";
import { closeDedupeRedis } from "./dedupe";
import { closeIngestQueue, ingestEvents } from "./ingest-events";
import { postgresProxy, sleep, workerProcess } from "@/lib/testing/worker-process";

// This file's own queue namespace, so no other test file's worker takes these jobs.
process.env.REDIS_PREFIX = `${process.env.REDIS_PREFIX}-durability`;

const url = new URL(process.env.DATABASE_URL!);
const proxy = postgresProxy({ host: url.hostname, port: Number(url.port || 5432) });
const worker = workerProcess({ env: () => ({ DATABASE_URL: proxy.databaseUrl(process.env.DATABASE_URL!) }) });
let owner: pg.Client;

beforeAll(async () => {
  await proxy.up();
  owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await owner.connect();
});

afterAll(async () => {
  worker.kill();
  await proxy.down();
  await closeIngestQueue();
  await closeDedupeRedis();
  await owner.end();
  await db().$disconnect();
});

describe("durability", () => {
  it("stores every acknowledged event exactly once across worker SIGKILLs and a Postgres outage", async () => {
    const { tenant, owner: ownerCtx } = await createTestTenant();
    const agentRow = await createTestAgent(tenant.id, ownerCtx.user.id);
    const agent: AgentPrincipal = { agentId: agentRow.id, tenantId: tenant.id, name: agentRow.name, labels: [], jti: "durability", credentialId: "cred" };
    const run = `run_durable_${uniq()}`;

    worker.start();
    await worker.ready();
    const acknowledged = new Set<string>();
    let sent = 0;
    let refusals = 0;
    let stop = false;

    // The agent: batches of 200, every fifth batch re-sends part of the previous one (a
    // retry), and a refused batch (429/503) is sent again after a pause, like a client would.
    const sender = (async () => {
      let previous: { id: string }[] = [];
      for (let batch = 0; !stop; batch++) {
        const events = Array.from({ length: 200 }, (_, i) => {
          const n = batch * 200 + i;
          return { id: `e${n}`, run_id: run, type: "log", ts: new Date(Date.UTC(2026, 10, 21, 9, 0, 0, n)).toISOString(), level: "info", message: `event ${n}` };
        });
        const body = batch % 5 === 4 ? [...previous.slice(0, 50), ...events] : events;
        for (;;) {
          try {
            const res = await ingestEvents({ agent, events: body });
            expect(res.rejected).toEqual([]);
            expect(res.accepted + res.duplicates).toBe(body.length);
            for (const e of body) acknowledged.add((e as { id: string }).id);
            break;
          } catch (error) {
            if (!(error instanceof AppError) || !["rate_limited", "dependency_unavailable"].includes(error.code)) throw error;
            refusals++;
            await sleep(200);
          }
        }
        sent += events.length;
        previous = events;
        await sleep(25);
      }
    })();

    // The chaos, while the agent keeps sending.
    await sleep(1_500);
    worker.kill(); // mid-stream: jobs in hand are left active, their locks expire, BullMQ hands them out again
    await sleep(1_000);
    worker.start();
    await worker.ready();
    await sleep(1_500);
    await proxy.down(); // Postgres gone for the worker: connections dropped mid-transaction, new ones refused
    await sleep(3_000);
    await proxy.up();
    await sleep(2_000);
    worker.kill();
    await sleep(500);
    worker.start();
    await worker.ready();
    await sleep(1_500);
    stop = true;
    await sender;
    expect(sent).toBeGreaterThan(2_000);

    // Everything acknowledged must arrive (stalled jobs come back after their lock expires).
    const deadline = Date.now() + 75_000;
    let stored = 0;
    while (Date.now() < deadline) {
      const { rows } = await owner.query<{ n: string }>(`SELECT count(*) AS n FROM run_events WHERE "tenantId" = $1 AND "runExternalId" = $2`, [tenant.id, run]);
      stored = Number(rows[0]!.n);
      if (stored >= acknowledged.size) break;
      await sleep(500);
    }
    await sleep(1_000); // anything still in flight would show up as an extra row now

    const { rows } = await owner.query<{ eventKey: string; copies: string }>(
      `SELECT "eventKey", count(*) AS copies FROM run_events WHERE "tenantId" = $1 AND "runExternalId" = $2 GROUP BY 1`,
      [tenant.id, run],
    );
    const storedIds = new Set(rows.map((r) => r.eventKey));
    const missing = [...acknowledged].filter((id) => !storedIds.has(id));
    const extra = rows.filter((r) => !acknowledged.has(r.eventKey));
    const twice = rows.filter((r) => Number(r.copies) !== 1);
    expect({ missing: missing.slice(0, 5), twice: twice.slice(0, 5) }, worker.log.slice(-2_000)).toEqual({ missing: [], twice: [] });
    expect(missing.length).toBe(0);
    // An unacknowledged batch (refused) may still have been queued only if it was not
    // refused; refused batches were re-sent until acknowledged, so nothing extra exists.
    expect(extra).toEqual([]);
    expect(rows).toHaveLength(acknowledged.size);
    const summary = await owner.query<{ eventCount: number }>(`SELECT "eventCount" FROM runs WHERE "tenantId" = $1 AND "externalId" = $2`, [tenant.id, run]);
    expect(summary.rows[0]!.eventCount).toBe(acknowledged.size);
    const failedAttempts = worker.log.split("\n").filter((l) => l.includes('"job failed"') && l.includes('"ingest"')).length;
    console.log(
      `durability: ${acknowledged.size} events acknowledged (${sent} sent, ${refusals} refusals retried), ${rows.length} stored once each; ` +
        `${failedAttempts} ingest job attempts failed during the outage and were retried`,
    );
    expect(failedAttempts).toBeGreaterThan(0); // the outage really hit writes in progress
    expect(worker.crashes, worker.log.slice(-3_000)).toBe(0); // and the worker rode it out
  }, 150_000);
});
