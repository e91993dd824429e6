/**
 * The decision endpoint (issue 4): engine time per decision for an agent with 1, 50 and
 * 500 rules (in process), and POST /api/v1/decisions over HTTP at a fixed offered load
 * (open loop: requests are sent on schedule whether or not earlier ones have answered),
 * through Next.js and through the agent API server, then with quotas on.
 */
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { authState } from "@/lib/agents/auth-state";
import { db } from "@/lib/db/client";
import { evaluate, withRules, type TenantPolicy } from "@/lib/policy/engine";
import { ruleSchema, type RuleInput } from "@/lib/policy/rules";
import { closeQueues, getQueue } from "@/lib/queue/registry";
import { saveQuota } from "@/lib/quotas/manage-quotas";
import type { QuotaInput } from "@/lib/quotas/schemas";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { benchDatabase, generateLoad, load, percentile, startAgentApi, startServer, stopServer } from "./support";

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

export async function benchDecisionsHttp(opts: { rate: number; sustainableRate: number; seconds: number; agentApiProcesses: number }) {
  const dropDatabase = await benchDatabase();
  const nextPort = 3201;
  const agentApiPort = 3202;
  const { owner, token } = await createPolicyTenant();
  await publishRules(owner, [
    rule({ tool: "stripe", operations: ["refunds.create"], constraints: [{ op: "max", arg: "amount_cents", value: 50_000 }], approval: { tier: "threshold", arg: "amount_cents", above: 10_000 } }),
    rule({ tool: "stripe", operations: ["charges.retrieve"] }),
  ]);
  // BENCH_DECISIONS_NEXT=0: skip the Next.js comparison (and its build).
  const withNext = process.env.BENCH_DECISIONS_NEXT !== "0";
  const server = withNext ? await startServer(nextPort) : undefined;
  let agentApi: ReturnType<typeof spawn> | undefined;
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const bodies = [
      JSON.stringify({ run_id: "run_bench", tool: "stripe", operation: "refunds.create", args: { charge_id: "ch_1", amount_cents: 500 } }),
      JSON.stringify({ run_id: "run_bench", tool: "stripe", operation: "charges.retrieve", args: { charge_id: "ch_1" } }),
      JSON.stringify({ run_id: "run_bench", tool: "github", operation: "repos.get", args: { repo: "acme/web" } }),
    ];
    const against = (port: number) => {
      const url = `http://127.0.0.1:${port}/api/v1/decisions`;
      const openLoop = async (rate: number, seconds: number) => {
        const r = await generateLoad({ url, headers, bodies, rate, seconds });
        return {
          offered: rate,
          achieved: r.requests / (r.elapsedMs / 1000),
          requests: r.requests,
          failures: r.failures,
          p50: percentile(r.latencies, 50),
          p99: percentile(r.latencies, 99),
          max: r.latencies.at(-1)!,
          serverP99: r.serverMs.length ? percentile(r.serverMs, 99) : NaN,
        };
      };
      return {
        async probe() {
          const res = await fetch(url, { method: "POST", headers, body: bodies[0] });
          if (res.status !== 200) throw new Error(`decision endpoint answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
          return (await res.json()) as { quota?: unknown[] };
        },
        async warm() {
          for (let i = 0; i < 300; i++) await (await fetch(url, { method: "POST", headers, body: bodies[i % bodies.length] })).arrayBuffer();
        },
        capacity: () => load({ url, method: "POST", headers, body: bodies[0], concurrency: 16, seconds: 10, expectStatus: 200 }),
        openLoop,
      };
    };
    // The answer path alone: decision records wait durably in the queue meanwhile.
    let viaNext: { capacity: Awaited<ReturnType<ReturnType<typeof against>["capacity"]>>; target: Awaited<ReturnType<ReturnType<typeof against>["openLoop"]>> } | undefined;
    if (server) {
      const next = against(nextPort);
      await next.probe();
      await next.warm();
      viaNext = { capacity: await next.capacity(), target: await next.openLoop(opts.rate, 15) }; // a reference: 15 s is enough to see it fall behind
      stopServer(server);
    }

    agentApi = await startAgentApi(agentApiPort, opts.agentApiProcesses);
    const fast = against(agentApiPort);
    await fast.probe();
    await fast.warm();
    const viaAgentApi = { capacity: await fast.capacity(), sustainable: await fast.openLoop(opts.sustainableRate, opts.seconds), target: await fast.openLoop(opts.rate, opts.seconds) };

    // Again with quotas on: three limits apply to every call (one Lua round trip reserves all).
    for (const request of BENCH_LIMITS) await saveQuota({ actor: owner, request });
    const limited = await fast.probe();
    if (limited.quota?.length !== BENCH_LIMITS.length) throw new Error(`quotas did not apply: ${JSON.stringify(limited).slice(0, 300)}`);
    const withQuotas = { capacity: await fast.capacity(), sustainable: await fast.openLoop(opts.sustainableRate, opts.seconds), target: await fast.openLoop(opts.rate, opts.seconds) };

    // Then the worker: how fast it writes the queued records (row, audit entry, timeline).
    const queue = getQueue("decisions");
    const backlog = async () => {
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
      return Object.values(counts).reduce((a, b) => a + b, 0);
    };
    stopServer(agentApi);
    const queued = await backlog();
    const log = openSync(".data/bench-worker.log", "w");
    worker = spawn("npx", ["tsx", "workers/index.ts"], { stdio: ["ignore", log, log], env: process.env, detached: true });
    const drainStarted = performance.now();
    // A 30-second sample of the drain is enough for a rate.
    while ((await backlog()) > 0 && performance.now() - drainStarted < 30_000) await new Promise((r) => setTimeout(r, 250));
    const drain = { records: queued - (await backlog()), seconds: (performance.now() - drainStarted) / 1000 };
    await closeQueues();
    return { viaNext, viaAgentApi, withQuotas, drain };
  } finally {
    if (server) stopServer(server);
    if (agentApi) stopServer(agentApi);
    if (worker) stopServer(worker);
    await authState.close();
    await db().$disconnect();
    await dropDatabase();
  }
}
