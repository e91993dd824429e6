/**
 * Durability of decision records: every decision the API answered (allowed or denied) is
 * recorded exactly once (row, audit entry, timeline entry), even if the decisions worker is
 * SIGKILLed mid-batch and its Postgres goes away for 3 s. Same harness as
 * lib/ingest/durability.int.test.ts: a real worker process (workers/index.ts) reaches
 * Postgres through a TCP proxy that this test takes down; the shared server stays up.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { db } from "@/lib/db/client";
import { closeQueues } from "@/lib/queue/registry";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { uniq } from "@/lib/testing/factories";
import { decideAction } from "./decide-action";
import { postgresProxy, sleep, workerProcess } from "@/lib/testing/worker-process";

// This file's own queue namespace, so no other test file's worker takes these jobs.
process.env.REDIS_PREFIX = `${process.env.REDIS_PREFIX}-decisions-durability`;

const url = new URL(process.env.DATABASE_URL!);
const proxy = postgresProxy({ host: url.hostname, port: Number(url.port || 5432) });
// Entries a killed worker held are taken over after 3 s (15 s by default).
const worker = workerProcess({ env: () => ({ DATABASE_URL: proxy.databaseUrl(process.env.DATABASE_URL!), DECISION_RECORDS_CLAIM_MS: "3000" }) });
let owner: pg.Client;

beforeAll(async () => {
  await proxy.up();
  owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await owner.connect();
});

afterAll(async () => {
  worker.kill();
  await proxy.down();
  await closeQueues();
  await owner.end();
  await db().$disconnect();
});

describe("decision record durability", () => {
  it("records every answered decision exactly once across worker SIGKILLs and a Postgres outage", async () => {
    const { tenant, owner: ownerCtx, agent: agentRow } = await createPolicyTenant();
    await publishRules(ownerCtx, [rule({ tool: "stripe", operations: ["charges.retrieve"] })]);
    const agent: AgentPrincipal = { agentId: agentRow.id, tenantId: tenant.id, name: agentRow.name, labels: agentRow.labels, jti: "durability", credentialId: "cred" };
    const run = `run_durable_${uniq()}`;

    worker.start();
    await worker.ready();
    const answered = new Map<string, string>(); // decision id → outcome
    let stop = false;

    // Agents asking: 8 at a time, allowed (a rule permits it) and denied (no rule) alternately.
    const asker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const allowed = (n + i) % 2 === 0;
        const answer = await decideAction({
          agent,
          request: allowed
            ? { run_id: run, tool: "stripe", operation: "charges.retrieve", args: { charge_id: `ch_${n}_${i}` } }
            : { run_id: run, tool: "github", operation: "repos.get", args: { repo: `acme/r${n}_${i}` } },
        });
        answered.set(answer.decision_id, answer.decision);
        await sleep(5);
      }
    };
    const askers = Promise.all(Array.from({ length: 8 }, (_, n) => asker(n)));

    // The chaos, while the agents keep asking.
    await sleep(1_500);
    worker.kill(); // mid-stream: entries it read stay pending on the stream until the next worker claims them
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
    await askers;
    const outcomes = new Set(answered.values());
    expect(outcomes).toEqual(new Set(["allow", "deny"]));
    expect(answered.size).toBeGreaterThan(500);

    // Everything answered must be recorded (a killed worker's entries are claimed by the next one).
    const count = async (sql: string) => Number((await owner.query<{ n: string }>(sql, [tenant.id, run])).rows[0]!.n);
    const deadline = Date.now() + 75_000;
    while (Date.now() < deadline) {
      if ((await count(`SELECT count(*) AS n FROM decisions WHERE "tenantId" = $1 AND "runExternalId" = $2`)) >= answered.size) break;
      await sleep(500);
    }
    await sleep(1_000); // anything still in flight would show up as an extra row now

    const copies = async (sql: string) => {
      const { rows } = await owner.query<{ id: string; copies: string }>(sql, [tenant.id, run]);
      const missing = [...answered.keys()].filter((id) => !rows.some((r) => r.id === id));
      return { missing: missing.length, extra: rows.filter((r) => !answered.has(r.id)).length, twice: rows.filter((r) => Number(r.copies) !== 1).length };
    };
    const none = { missing: 0, extra: 0, twice: 0 };
    const decisions = await owner.query<{ id: string; outcome: string }>(`SELECT id, outcome::text FROM decisions WHERE "tenantId" = $1 AND "runExternalId" = $2`, [tenant.id, run]);
    expect(decisions.rows.filter((d) => answered.get(d.id) !== d.outcome), worker.log.slice(-2_000)).toEqual([]);
    expect(await copies(`SELECT id, count(*) AS copies FROM decisions WHERE "tenantId" = $1 AND "runExternalId" = $2 GROUP BY 1`), worker.log.slice(-2_000)).toEqual(none);
    expect(
      await copies(`SELECT "targetId" AS id, count(*) AS copies FROM audit_entries WHERE "tenantId" = $1 AND "targetType" = 'decision' AND after->>'run' = $2 GROUP BY 1`),
    ).toEqual(none);
    expect(
      await copies(`SELECT "eventKey" AS id, count(*) AS copies FROM run_events WHERE "tenantId" = $1 AND "runExternalId" = $2 AND type = 'decision' GROUP BY 1`),
    ).toEqual(none);
    expect(await verifyAuditChain({ tenantId: tenant.id })).toMatchObject({ ok: true });
    const failedAttempts = worker.log.split("\n").filter((l) => l.includes("decision records: write failed")).length;
    console.log(`decision durability: ${answered.size} decisions answered, each recorded once; ${failedAttempts} record writes failed during the outage and were retried`);
    expect(failedAttempts).toBeGreaterThan(0); // the outage really hit writes in progress
    expect(worker.crashes, worker.log.slice(-3_000)).toBe(0); // and the worker rode it out
  }, 150_000);
});
