/**
 * The decision endpoint (issue 4): engine time per decision for an agent with 1, 50 and
 * 500 rules (in process), and POST /api/v1/decisions over HTTP at a fixed offered load
 * (open loop: requests are sent on schedule whether or not earlier ones have answered),
 * through Next.js and through the agent API server, then with quotas on, each beside a bare
 * node:http handler loaded the same way. The worker (workers/index.ts) runs through every
 * phase, recording the decisions as they are answered; then a drain of queued records
 * measures its rate per core of CPU.
 */
import type { ChildProcess } from "node:child_process";
import os from "node:os";
import pg from "pg";
import { Ajv2020 } from "ajv/dist/2020.js";
import { authState } from "@/lib/agents/auth-state";
import { db } from "@/lib/db/client";
import type { DecisionRecord } from "@/lib/decisions/schemas";
import { evaluate, withRules, type TenantPolicy } from "@/lib/policy/engine";
import { ruleSchema, type RuleInput } from "@/lib/policy/rules";
import { appendDecisionRecords, closeDecisionRecordProducer, recordStreamKey } from "@/lib/decisions/record-stream";
import { createRedis } from "@/lib/redis";
import { saveQuota } from "@/lib/quotas/manage-quotas";
import type { QuotaInput } from "@/lib/quotas/schemas";
import { decisionRecord } from "@/lib/testing/decision-record";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { WARM_SECONDS, benchDatabase, cpuByComponent, cpuShare, generateLoad, load, percentile, startAgentApi, startBareHandler, startServer, startWorker, stopServer } from "./support";

function syntheticPolicy(ruleCount: number, sameOperation: boolean): TenantPolicy {
  const ajv = new Ajv2020({ strict: false });
  const validate = ajv.compile({ type: "object", properties: { amount_cents: { type: "integer" }, channel: { type: "string" } } });
  const operations = new Map();
  for (let t = 0; t < 50; t++) for (let o = 0; o < 10; o++) operations.set(`tool${t}/op${o}`, { tool: `tool${t}`, name: `op${o}`, riskClass: "write", reversible: true, validate, schemaError: null });
  const rules: RuleInput[] = Array.from({ length: ruleCount }, (_, i) => ({
    id: `r_bench${i.toString(36).padStart(6, "0")}`,
    name: `rule ${i}`,
    agents: ["agt_bench"],
    tool: sameOperation ? "tool0" : `tool${i % 50}`,
    operations: [sameOperation ? "op0" : `op${Math.floor(i / 50) % 10}`],
    constraints: [{ op: "max", arg: "amount_cents", value: 1000 + i }, { op: "pattern", arg: "channel", glob: "#support-*" }],
  }));
  const base: TenantPolicy = { tenantId: "ten_bench", version: 1, rulesKey: "v1", rules: [], tools: new Set([...operations.values()].map((o) => o.tool)), operations, killedTools: new Map(), slices: new Map() };
  return withRules(base, rules.map((r) => ruleSchema.parse(r)));
}

export function benchEngine() {
  const results: { rules: number; layout: string; microseconds: number; outcome: string }[] = [];
  // Warm the JIT and the wasm module once, so the first configuration is not penalized.
  const warm = syntheticPolicy(5, false);
  for (let i = 0; i < 5000; i++) evaluate(warm, { agent: { id: "agt_bench", labels: [] }, tool: "tool0", operation: "op0", args: { amount_cents: 1 } });
  for (const [count, same] of [[1, false], [50, false], [500, false], [500, true]] as const) {
    const policy = syntheticPolicy(count, same);
    const action = { agent: { id: "agt_bench", labels: [] }, tool: "tool0", operation: "op0", args: { amount_cents: 900, channel: "#support-eu" } };
    const outcome = evaluate(policy, action).outcome; // warms the slice (preparse)
    const calls = same ? 2_000 : 20_000;
    for (let i = 0; i < 1000 && i < calls; i++) evaluate(policy, action);
    const started = performance.now();
    for (let i = 0; i < calls; i++) evaluate(policy, action);
    results.push({ rules: count, layout: same ? "all on one operation" : "spread over 500 operations", microseconds: ((performance.now() - started) * 1000) / calls, outcome });
  }
  return results;
}

/** Limits the bench agent is held to in the quota phase: high enough never to be reached. */
const BENCH_LIMITS: QuotaInput[] = [
  { name: "calls_per_day", scope: "tenant", metric: "tool_calls", window: "day", limit: 1e9 },
  { name: "writes_per_minute", scope: "agent", metric: "writes", window: "minute", limit: 1e9 },
  { name: "spend_per_month", scope: "tenant", metric: "spend_usd", window: "month", limit: 1e9, onExceed: "approval" },
];

type Cpu = ReturnType<typeof cpuShare>;

export async function benchDecisionsHttp(opts: { rate: number; sustainableRate: number; seconds: number; agentApiProcesses: number; drainRecords: number }) {
  const dropDatabase = await benchDatabase();
  const nextPort = 3201;
  const agentApiPort = 3202;
  const barePort = 3203;
  const { tenant, owner, agent, token } = await createPolicyTenant();
  await publishRules(owner, [
    rule({ tool: "stripe", operations: ["refunds.create"], constraints: [{ op: "max", arg: "amount_cents", value: 50_000 }], approval: { tier: "threshold", arg: "amount_cents", above: 10_000 } }),
    rule({ tool: "stripe", operations: ["charges.retrieve"] }),
  ]);
  const ownerDb = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await ownerDb.connect();
  const recorded = async () => Number((await ownerDb.query<{ n: string }>(`SELECT count(*) AS n FROM decisions WHERE "tenantId" = $1`, [tenant.id])).rows[0]!.n);
  // Records not yet written: entries on the record stream (deleted once written).
  const redis = createRedis();
  const backlog = () => redis.xlen(recordStreamKey());
  const drained = async () => {
    for (let waited = 0; (await backlog()) > 0 && waited < 120_000; waited += 250) await new Promise((r) => setTimeout(r, 250));
  };
  // BENCH_DECISIONS_NEXT=0: skip the Next.js comparison (and its build).
  const withNext = process.env.BENCH_DECISIONS_NEXT !== "0";
  let worker: ChildProcess | undefined;
  let server: ChildProcess | undefined;
  let bare: ChildProcess | undefined;
  let agentApi: ChildProcess | undefined;
  try {
    // The worker records every decision while decisions are asked, as in a deployment: it
    // starts first and runs through every phase.
    worker = await startWorker();
    if (withNext) server = await startServer(nextPort);
    bare = await startBareHandler(barePort);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const bodies = [
      JSON.stringify({ run_id: "run_bench", tool: "stripe", operation: "refunds.create", args: { charge_id: "ch_1", amount_cents: 500 } }),
      JSON.stringify({ run_id: "run_bench", tool: "stripe", operation: "charges.retrieve", args: { charge_id: "ch_1" } }),
      JSON.stringify({ run_id: "run_bench", tool: "github", operation: "repos.get", args: { repo: "acme/web" } }),
    ];
    const against = (port: number) => {
      const url = `http://127.0.0.1:${port}/api/v1/decisions`;
      const openLoop = async (rate: number, seconds: number) => {
        const cpuBefore = cpuByComponent();
        const r = await generateLoad({ url, headers, bodies, rate, seconds });
        const cpu: Cpu = cpuShare(cpuBefore, cpuByComponent(), r.elapsedMs / 1000, Math.max(1, r.requests));
        return {
          offered: rate,
          achieved: r.requests / (r.elapsedMs / 1000),
          requests: r.requests,
          failures: r.failures + r.requests - (r.statuses["200"] ?? 0),
          p50: percentile(r.latencies, 50),
          p99: percentile(r.latencies, 99),
          max: r.latencies.at(-1)!,
          serverP99: r.serverMs.length ? percentile(r.serverMs, 99) : NaN,
          cpu,
          loadAverage: os.loadavg()[0]!,
        };
      };
      return {
        async probe() {
          const res = await fetch(url, { method: "POST", headers, body: bodies[0] });
          if (res.status !== 200) throw new Error(`decision endpoint answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
          return (await res.json()) as { quota?: unknown[] };
        },
        warm: () => generateLoad({ url, headers, bodies, rate: opts.rate, seconds: WARM_SECONDS }),
        capacity: () => load({ url, method: "POST", headers, body: bodies[0], concurrency: 16, seconds: 10, expectStatus: 200 }),
        openLoop,
      };
    };
    let viaNext: { capacity: Awaited<ReturnType<ReturnType<typeof against>["capacity"]>>; target: Awaited<ReturnType<ReturnType<typeof against>["openLoop"]>> } | undefined;
    if (server) {
      const next = against(nextPort);
      await next.probe();
      await next.warm();
      viaNext = { capacity: await next.capacity(), target: await next.openLoop(opts.rate, 15) }; // a reference: 15 s is enough to see it fall behind
      stopServer(server);
    }

    // The baseline, same generator, same run, the worker idling beside it.
    const baseline = against(barePort);
    const bareHandler = { sustainable: await baseline.openLoop(opts.sustainableRate, opts.seconds), target: await baseline.openLoop(opts.rate, opts.seconds) };
    stopServer(bare);

    agentApi = await startAgentApi(agentApiPort, opts.agentApiProcesses);
    const fast = against(agentApiPort);
    await fast.probe();
    await fast.warm();
    // The worker's rate as deployed: the API at full speed (closed loop) queues records as it
    // does under load (group commits), and the worker's CPU from the start until every one
    // of them is a row, divided by the rows.
    const recordingAtCapacity = async () => {
      await drained();
      const [cpuBefore, rowsBefore] = [cpuByComponent(), await recorded()];
      const capacity = await fast.capacity();
      await drained();
      const rows = (await recorded()) - rowsBefore;
      const workerCpuSeconds = (cpuByComponent().get("worker") ?? 0) - (cpuBefore.get("worker") ?? 0);
      return { ...capacity, rows, workerCpuSeconds, perWorkerCore: rows / workerCpuSeconds };
    };
    const viaAgentApi = { capacity: await recordingAtCapacity(), sustainable: await fast.openLoop(opts.sustainableRate, opts.seconds), target: await fast.openLoop(opts.rate, opts.seconds) };

    // Again with quotas on: three limits apply to every call (one Lua round trip reserves all).
    for (const request of BENCH_LIMITS) await saveQuota({ actor: owner, request });
    const limited = await fast.probe();
    if (limited.quota?.length !== BENCH_LIMITS.length) throw new Error(`quotas did not apply: ${JSON.stringify(limited).slice(0, 300)}`);
    const withQuotas = { capacity: await fast.capacity(), sustainable: await fast.openLoop(opts.sustainableRate, opts.seconds), target: await fast.openLoop(opts.rate, opts.seconds) };
    stopServer(agentApi);

    // Every answered decision is recorded: the worker kept up (or catches up now).
    const backlogAfterLoad = await backlog();
    await drained();

    // The worker's rate at its worst: N records queued at once, one stream entry each (as
    // the API queues them when requests come one at a time, so no group commit forms),
    // timed until all are rows, divided by the worker's CPU time (not the wall clock, which
    // the other processes on the shared cores stretch).
    const records = Array.from({ length: opts.drainRecords }, (_, i) => benchRecord(tenant.id, agent.id, agent.name, i));
    const before = await recorded();
    const cpuBefore = cpuByComponent();
    const started = performance.now();
    for (let i = 0; i < records.length; i += 1_000) {
      await appendDecisionRecords(records.slice(i, i + 1_000).map((record) => ({ tenantId: tenant.id, records: [record], gatewayEvents: [] })));
    }
    while ((await recorded()) - before < records.length && performance.now() - started < 180_000) await new Promise((r) => setTimeout(r, 100));
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuByComponent();
    const stored = (await recorded()) - before;
    const workerCpuSeconds = (cpuAfter.get("worker") ?? 0) - (cpuBefore.get("worker") ?? 0);
    const drain = { records: stored, seconds, workerCpuSeconds, perWorkerCore: stored / workerCpuSeconds, cpu: cpuShare(cpuBefore, cpuAfter, seconds, Math.max(1, stored)) };
    await closeDecisionRecordProducer();
    return { viaNext, bareHandler, viaAgentApi, withQuotas, backlogAfterLoad, drain };
  } finally {
    if (server) stopServer(server);
    if (agentApi) stopServer(agentApi);
    if (bare) stopServer(bare);
    if (worker) stopServer(worker);
    await ownerDb.end();
    redis.disconnect();
    await authState.close();
    await db().$disconnect();
    await dropDatabase();
  }
}

/** A decision record as the API queues it, unique per i. */
function benchRecord(tenantId: string, agentId: string, agentName: string, i: number): DecisionRecord {
  const allowed = i % 3 !== 0;
  return decisionRecord({
    tenantId,
    agentId,
    agentName,
    runExternalId: `run_drain_${i % 50}`,
    args: { charge_id: `ch_${i}` },
    outcome: allowed ? "allow" : "deny",
    reasons: [{ code: allowed ? "allowed_by_rule" : "no_matching_allow_rule", message: "bench" }],
  });
}
