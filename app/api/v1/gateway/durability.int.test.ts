/**
 * Attested gateway events are recorded exactly once even when the worker dies: a real
 * worker process (workers/index.ts) records while the agent keeps calling through the
 * gateway; the worker is SIGKILLed mid-stream and restarted, twice. At the end every
 * executed call has exactly one gateway.call and one gateway.result in its run.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { closeQueues } from "@/lib/queue/registry";
import { sleep, workerProcess } from "@/lib/testing/worker-process";
import { createGatewayTenant, gatewayCall, startTestUpstream } from "./testing";

// This file's own queue namespace, so no other test file's worker takes these jobs.
process.env.REDIS_PREFIX = `${process.env.REDIS_PREFIX}-gwdurability`;
process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";

let upstream: Awaited<ReturnType<typeof startTestUpstream>>;
let owner: pg.Client;
const worker = workerProcess();

beforeAll(async () => {
  upstream = await startTestUpstream();
  owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  worker.kill();
  await owner.end();
  await upstream.close();
  await closeQueues();
  await db().$disconnect();
});

describe("gateway durability", () => {
  it("records every executed call's attested events exactly once across worker SIGKILLs", { timeout: 180_000 }, async () => {
    const ctx = await createGatewayTenant(upstream.base);
    worker.start();
    await worker.ready();
    const executed = new Set<string>();
    let stop = false;
    // Four agents' worth of concurrent calls until the chaos is over.
    const senders = Array.from({ length: 4 }, (_, s) =>
      (async () => {
        for (let i = 0; !stop; i++) {
          const answer = await gatewayCall(ctx.token, { args: { charge_id: `ch_${s}_${i}`, amount_cents: 100 + i } });
          expect(answer.status, answer.text).toBe(200);
          executed.add(answer.body.decision_id!);
          await sleep(10);
        }
      })(),
    );

    await sleep(1_000);
    worker.kill(); // jobs in hand are left active; BullMQ hands them out again once their lock expires
    await sleep(1_000);
    worker.start();
    await worker.ready();
    await sleep(1_000);
    worker.kill();
    await sleep(500);
    worker.start();
    await worker.ready();
    await sleep(1_000);
    stop = true;
    await Promise.all(senders);
    expect(executed.size).toBeGreaterThan(20);
    expect(upstream.received).toHaveLength(executed.size);

    const expected = new Set([...executed].flatMap((id) => [`${id}:call`, `${id}:result`]));
    const count = async () =>
      Number((await owner.query<{ n: string }>(`SELECT count(*) AS n FROM run_events WHERE "tenantId" = $1 AND type LIKE 'gateway.%'`, [ctx.tenant.id])).rows[0]!.n);
    const deadline = Date.now() + 120_000;
    while ((await count()) < expected.size && Date.now() < deadline) await sleep(500);
    await sleep(1_000); // anything still in flight would show up as an extra row now

    const { rows } = await owner.query<{ eventKey: string; copies: string }>(
      `SELECT "eventKey", count(*) AS copies FROM run_events WHERE "tenantId" = $1 AND type LIKE 'gateway.%' GROUP BY 1`,
      [ctx.tenant.id],
    );
    const stored = new Set(rows.map((r) => r.eventKey));
    const missing = [...expected].filter((k) => !stored.has(k));
    const twice = rows.filter((r) => Number(r.copies) !== 1);
    const extra = rows.filter((r) => !expected.has(r.eventKey));
    expect({ missing: missing.slice(0, 5), twice: twice.slice(0, 5), extra: extra.slice(0, 5) }, worker.log.slice(-2_000)).toEqual({ missing: [], twice: [], extra: [] });
  });
});
