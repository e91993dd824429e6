/**
 * `npm run bench -- gateway`: the same calls sent straight to a local upstream (a bare
 * node:http handler) and through the gateway (agent API server → decision pipeline →
 * outbound guard → the same upstream), in one run, with the worker recording decisions and
 * attested events meanwhile. Reports the gateway's p50/p99 overhead at a fixed offered rate,
 * closed-loop capacity of both, and CPU per component during the gateway phase.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { authState } from "@/lib/agents/auth-state";
import { createConnection } from "@/lib/connections/create-connection";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { closeQueues } from "@/lib/queue/registry";
import { generateMasterKey } from "@/lib/secrets/envelope";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { updateOperation } from "@/lib/tools/update-operation";
import { updateTool } from "@/lib/tools/update-tool";
import { benchDatabase, cpuByComponent, cpuShare, generateLoad, load, percentile, startAgentApi, stopServer } from "./support";

const UPSTREAM_PORT = 3211;
const AGENT_API_PORT = 3212;

async function waitFor(url: string, init?: RequestInit) {
  for (let i = 0; i < 100; i++) {
    if (await fetch(url, init).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

export async function benchGateway(opts: { rate: number; seconds: number; agentApiProcesses: number }) {
  process.env.GATEHOUSE_MASTER_KEY ??= generateMasterKey();
  process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
  const dropDatabase = await benchDatabase();
  const children: ChildProcess[] = [];
  try {
    const upstream = spawn(process.execPath, ["bench/upstream.mjs", String(UPSTREAM_PORT)], { stdio: "ignore", detached: true });
    children.push(upstream);
    const upstreamBase = `http://127.0.0.1:${UPSTREAM_PORT}`;
    await waitFor(upstreamBase);

    const { tenant, owner, token } = await createPolicyTenant();
    const connection = await createConnection({ actor: owner, request: { name: "bench", kind: "bearer", secret: "sk_bench_secret", allowedHosts: [`127.0.0.1:${UPSTREAM_PORT}`] } });
    const stripe = await withTenant({ tenantId: tenant.id }, (tx) => tx.tool.findFirstOrThrow({ where: { tenantId: tenant.id, name: "stripe" }, include: { operations: true } }));
    await updateTool({ actor: owner, toolId: stripe.id, changes: { upstream: { kind: "http", baseUrl: upstreamBase, connectionId: connection.id, timeoutMs: 10_000, maxResponseBytes: 1 << 20 } } });
    const refunds = stripe.operations.find((o) => o.name === "refunds.create")!;
    await updateOperation({ actor: owner, toolId: stripe.id, operationId: refunds.id, changes: { http: { method: "POST", path: "/v1/charges/{charge_id}/refunds" }, sideEffectFields: { object_type: "refund", id: "id" } } });
    await publishRules(owner, [rule({ tool: "stripe", operations: ["refunds.create"], constraints: [{ op: "max", arg: "amount_cents", value: 50_000 }] })]);

    const log = openSync(".data/bench-worker.log", "w");
    children.push(spawn("npx", ["tsx", "workers/index.ts"], { stdio: ["ignore", log, log], env: process.env, detached: true }));
    const agentApi = await startAgentApi(AGENT_API_PORT, opts.agentApiProcesses);
    children.push(agentApi);

    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const gatewayUrl = `http://127.0.0.1:${AGENT_API_PORT}/api/v1/gateway/stripe/refunds.create`;
    const gatewayBody = JSON.stringify({ run_id: "run_bench_{{i}}", args: { charge_id: "ch_1", amount_cents: 500 } });
    const directUrl = `${upstreamBase}/v1/charges/ch_1/refunds`;
    const directBody = JSON.stringify({ amount_cents: 500 });
    const probe = await fetch(gatewayUrl, { method: "POST", headers, body: gatewayBody.replace("{{i}}", "probe") });
    const answer = (await probe.json()) as { result?: { status: number } };
    if (probe.status !== 200 || answer.result?.status !== 201) throw new Error(`gateway probe answered ${probe.status}: ${JSON.stringify(answer).slice(0, 300)}`);
    for (let i = 0; i < 300; i++) await (await fetch(gatewayUrl, { method: "POST", headers, body: gatewayBody.replace("{{i}}", "warm") })).arrayBuffer();

    const openLoop = async (url: string, body: string, h: Record<string, string>) => {
      const r = await generateLoad({ url, headers: h, bodies: [body], rate: opts.rate, seconds: opts.seconds });
      return { achieved: r.requests / (r.elapsedMs / 1000), requests: r.requests, failures: r.failures, statuses: r.statuses, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), max: r.latencies.at(-1)! };
    };
    const direct = await openLoop(directUrl, directBody, { "content-type": "application/json" });
    const cpuBefore = cpuByComponent();
    const gateway = await openLoop(gatewayUrl, gatewayBody, headers);
    const cpu = cpuShare(cpuBefore, cpuByComponent(), opts.seconds, gateway.requests);
    const capacity = {
      direct: await load({ url: directUrl, method: "POST", body: directBody, headers: { "content-type": "application/json" }, concurrency: 16, seconds: 10, expectStatus: 201 }),
      gateway: await load({ url: gatewayUrl, method: "POST", body: gatewayBody, headers, concurrency: 16, seconds: 10, expectStatus: 200 }),
    };
    return { direct, gateway, cpu, capacity };
  } finally {
    for (const child of children) stopServer(child);
    await closeQueues();
    await authState.close();
    await db().$disconnect();
    await dropDatabase();
  }
}
