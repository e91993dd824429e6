/**
 * Durability of decision records: every decision the API answered (allowed or denied) is
 * recorded exactly once (row, audit entry, timeline entry), even if the decisions worker is
 * SIGKILLed mid-batch and its Postgres goes away for 3 s. Same harness as
 * lib/ingest/durability.int.test.ts: a real worker process (workers/index.ts) reaches
 * Postgres through a TCP proxy that this test takes down; the shared server stays up.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { db } from "@/lib/db/client";
import { closeQueues } from "@/lib/queue/registry";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { uniq } from "@/lib/testing/factories";
import { decideAction } from "./decide-action";

// This file's own queue namespace, so no other test file's worker takes these jobs.
process.env.REDIS_PREFIX = `${process.env.REDIS_PREFIX}-decisions-durability`;

/** A TCP proxy to Postgres that can be taken down (all connections dropped, new ones refused) and up again. */
function postgresProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  return {
    get port() {
      return port;
    },
    up: listen,
    down: async () => {
      const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      for (const s of sockets) s.destroy();
      await closing;
      server = null;
    },
  };
}

const url = new URL(process.env.DATABASE_URL!);
const proxy = postgresProxy({ host: url.hostname, port: Number(url.port || 5432) });
let worker: ChildProcess | null = null;
let workerLog = "";

let startedAt = 0; // offset in workerLog of the current worker's output
let crashes = 0; // exits we did not cause

function startWorker() {
  startedAt = workerLog.length;
  const viaProxy = new URL(process.env.DATABASE_URL!);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  worker = spawn(process.execPath, ["--import", "tsx", "workers/index.ts"], {
    env: { ...process.env, DATABASE_URL: viaProxy.toString(), NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  worker.on("exit", (code, signal) => {
    if (signal !== "SIGKILL" && signal !== "SIGTERM") crashes++;
  });
  worker.stdout?.on("data", (d) => (workerLog += d));
  worker.stderr?.on("data", (d) => (workerLog += d));
}

/** Resolves once the worker logged that its queues run (startup compiles TypeScript: seconds on a busy machine). */
async function workerReady(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!workerLog.includes('"workers started"', startedAt)) {
    if (Date.now() > deadline) throw new Error(`worker did not start:\n${workerLog.slice(-2_000)}`);
    await sleep(100);
  }
}

function killWorker() {
  worker?.kill("SIGKILL");
  worker = null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let owner: pg.Client;

beforeAll(async () => {
  await proxy.up();
  owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await owner.connect();
});

afterAll(async () => {
  killWorker();
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

    startWorker();
    await workerReady();
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
    killWorker(); // mid-stream: jobs in hand are left active, their locks expire, BullMQ hands them out again
    await sleep(1_000);
    startWorker();
    await workerReady();
    await sleep(1_500);
    await proxy.down(); // Postgres gone for the worker: connections dropped mid-transaction, new ones refused
    await sleep(3_000);
    await proxy.up();
    await sleep(2_000);
    killWorker();
    await sleep(500);
    startWorker();
    await workerReady();
    await sleep(1_500);
    stop = true;
    await askers;
    const outcomes = new Set(answered.values());
    expect(outcomes).toEqual(new Set(["allow", "deny"]));
    expect(answered.size).toBeGreaterThan(500);

    // Everything answered must be recorded (stalled jobs come back after their lock expires).
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
    expect(decisions.rows.filter((d) => answered.get(d.id) !== d.outcome), workerLog.slice(-2_000)).toEqual([]);
    expect(await copies(`SELECT id, count(*) AS copies FROM decisions WHERE "tenantId" = $1 AND "runExternalId" = $2 GROUP BY 1`), workerLog.slice(-2_000)).toEqual(none);
    expect(
      await copies(`SELECT "targetId" AS id, count(*) AS copies FROM audit_entries WHERE "tenantId" = $1 AND "targetType" = 'decision' AND after->>'run' = $2 GROUP BY 1`),
    ).toEqual(none);
    expect(
      await copies(`SELECT "eventKey" AS id, count(*) AS copies FROM run_events WHERE "tenantId" = $1 AND "runExternalId" = $2 AND type = 'decision' GROUP BY 1`),
    ).toEqual(none);
    expect(await verifyAuditChain({ tenantId: tenant.id })).toMatchObject({ ok: true });
    const failedAttempts = workerLog.split("\n").filter((l) => l.includes('"job failed"') && l.includes('"decisions"')).length;
    console.log(`decision durability: ${answered.size} decisions answered, each recorded once; ${failedAttempts} record job attempts failed during the outage and were retried`);
    expect(failedAttempts).toBeGreaterThan(0); // the outage really hit writes in progress
    expect(crashes, workerLog.slice(-3_000)).toBe(0); // and the worker rode it out
  }, 150_000);
});
