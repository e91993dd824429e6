/**
 * `npm run bench -- gateway`: the same calls sent straight to a local upstream (a bare
 * node:http handler), through a floor proxy that makes only the gateway's hops and records
 * (bench/floor-proxy.mjs), and through the gateway (agent API server → decision pipeline →
 * outbound guard → the same upstream), in one run, with the worker recording decisions and
 * attested events meanwhile. Reports the gateway's p50/p99 overhead at a fixed offered rate,
 * closed-loop capacity of both, and CPU per component during the gateway phase.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { authState } from "@/lib/agents/auth-state";
import { createConnection } from "@/lib/connections/create-connection";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { createRedis } from "@/lib/redis";
import { recordStreamKey } from "@/lib/decisions/record-stream";
import { writeFileSync } from "node:fs";
import { withTenant } from "@/lib/db/tenant";
import { closeQueues } from "@/lib/queue/registry";
import { generateMasterKey } from "@/lib/secrets/envelope";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { updateOperation } from "@/lib/tools/update-operation";
import { updateTool } from "@/lib/tools/update-tool";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { WARM_SECONDS, benchDatabase, cpuByComponent, cpuShare, generateLoad, load, percentile, slowSeconds, startAgentApi, startWorker, stopServer } from "./support";

const UPSTREAM_PORT = 3211;
const AGENT_API_PORT = 3212;
const MCP_UPSTREAM_PORT = 3213;
const FLOOR_PORT = 3214;
const MCP_TOKEN = "mcp_bench_token";

async function waitFor(url: string, init?: RequestInit) {
  for (let i = 0; i < 100; i++) {
    if (await fetch(url, init).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

export async function benchGateway(opts: { rate: number; mcpRate: number; seconds: number; agentApiProcesses: number; mcpOnly: boolean }) {
  process.env.GATEHOUSE_MASTER_KEY ??= generateMasterKey();
  process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
  const dropDatabase = await benchDatabase();
  const children: ChildProcess[] = [];
  try {
    const upstream = spawn(process.execPath, ["bench/upstream.mjs", String(UPSTREAM_PORT)], { stdio: "ignore", detached: true });
    children.push(upstream);
    const upstreamBase = `http://127.0.0.1:${UPSTREAM_PORT}`;
    await waitFor(upstreamBase);
    children.push(spawn("npx", ["tsx", "bench/mcp-upstream.ts", String(MCP_UPSTREAM_PORT), MCP_TOKEN], { stdio: "ignore", detached: true }));
    const mcpUpstream = `http://127.0.0.1:${MCP_UPSTREAM_PORT}/mcp`;
    await waitFor(mcpUpstream, { method: "POST" });

    const { tenant, owner, token } = await createPolicyTenant();
    const connection = await createConnection({ actor: owner, request: { name: "bench", kind: "bearer", secret: "sk_bench_secret", allowedHosts: [`127.0.0.1:${UPSTREAM_PORT}`] } });
    const stripe = await withTenant({ tenantId: tenant.id }, (tx) => tx.tool.findFirstOrThrow({ where: { tenantId: tenant.id, name: "stripe" }, include: { operations: true } }));
    await updateTool({ actor: owner, toolId: stripe.id, changes: { upstream: { kind: "http", baseUrl: upstreamBase, connectionId: connection.id, timeoutMs: 10_000, maxResponseBytes: 1 << 20 } } });
    const refunds = stripe.operations.find((o) => o.name === "refunds.create")!;
    await updateOperation({ actor: owner, toolId: stripe.id, operationId: refunds.id, changes: { http: { method: "POST", path: "/v1/charges/{charge_id}/refunds" }, sideEffectFields: { object_type: "refund", id: "id" } } });
    // github is a remote MCP server (the SDK's McpServer), and a 500-operation tool sizes tools/list.
    const mcpConnection = await createConnection({ actor: owner, request: { name: "bench-mcp", kind: "bearer", secret: MCP_TOKEN, allowedHosts: [`127.0.0.1:${MCP_UPSTREAM_PORT}`] } });
    const github = await withTenant({ tenantId: tenant.id }, (tx) => tx.tool.findFirstOrThrow({ where: { tenantId: tenant.id, name: "github" } }));
    await updateTool({ actor: owner, toolId: github.id, changes: { upstream: { kind: "mcp", baseUrl: mcpUpstream, connectionId: mcpConnection.id, timeoutMs: 10_000, maxResponseBytes: 1 << 20 } } });
    await withTenant({ tenantId: tenant.id }, (tx) =>
      tx.tool.create({ data: { tenantId: tenant.id, name: "big", displayName: "Big", operations: { create: Array.from({ length: 500 }, (_, i) => ({ name: `op.${i}`, riskClass: "read" as const, argsSchema: { type: "object", properties: { id: { type: "string" } } } })) } } }),
    );
    await publishRules(owner, [
      rule({ tool: "stripe", operations: ["refunds.create"], constraints: [{ op: "max", arg: "amount_cents", value: 50_000 }] }),
      rule({ tool: "github", operations: ["repos.get"] }),
      rule({ tool: "big", operations: ["*"] }),
    ]);

    const agentApi = await startAgentApi(AGENT_API_PORT, opts.agentApiProcesses);
    children.push(agentApi);

    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const gatewayUrl = `http://127.0.0.1:${AGENT_API_PORT}/api/v1/gateway/stripe/refunds.create`;
    const gatewayBody = JSON.stringify({ run_id: "run_bench_{{i}}", args: { charge_id: "ch_1", amount_cents: 500 } });
    const directUrl = `${upstreamBase}/v1/charges/ch_1/refunds`;
    const directBody = JSON.stringify({ amount_cents: 500 });
    const probe = await fetch(gatewayUrl, { method: "POST", headers, body: gatewayBody.replace("{{i}}", "probe") });
    const answer = (await probe.json()) as { decision_id: string; result?: { status: number } };
    if (probe.status !== 200 || answer.result?.status !== 201) throw new Error(`gateway probe answered ${probe.status}: ${JSON.stringify(answer).slice(0, 300)}`);
    // The worker starts after the probe, so the probe's record entries are still on the stream for the floor to replay.
    const floorTemplate = await captureFloorTemplate(answer.decision_id, "run_bench_probe");
    children.push(await startWorker());
    if (opts.mcpOnly) return { http: null, mcp: await benchMcp({ token, rate: opts.mcpRate, seconds: opts.seconds, mcpUpstream, openLoop: openLoopOf(opts.seconds) }) };

    const openLoop = openLoopOf(opts.seconds);
    const direct = await openLoop(directUrl, directBody, { "content-type": "application/json" }, opts.rate);
    // The floor: a bare proxy making the gateway's hops with its records (the worker records them), nothing else.
    const floorProxy = spawn(process.execPath, ["bench/floor-proxy.mjs", String(FLOOR_PORT), upstreamBase, env().REDIS_URL, recordStreamKey(), floorTemplate], { stdio: "ignore", detached: true });
    children.push(floorProxy);
    const floorUrl = `http://127.0.0.1:${FLOOR_PORT}/api/v1/gateway/stripe/refunds.create`;
    await waitFor(floorUrl);
    await generateLoad({ url: floorUrl, headers, bodies: [gatewayBody.replace("{{i}}", "floor_warm_{{i}}")], rate: opts.rate, seconds: WARM_SECONDS });
    const floorCpuBefore = cpuByComponent();
    const floor = { ...(await openLoop(floorUrl, gatewayBody.replace("{{i}}", "floor_{{i}}"), headers, opts.rate)), cpu: [] as ReturnType<typeof cpuShare> };
    floor.cpu = cpuShare(floorCpuBefore, cpuByComponent(), opts.seconds, floor.requests);
    stopServer(floorProxy);
    // Warmed at the measured rate just before its phase (bench/support.ts WARM_SECONDS).
    await generateLoad({ url: gatewayUrl, headers, bodies: [gatewayBody.replace("{{i}}", "warm_{{i}}")], rate: opts.rate, seconds: WARM_SECONDS });
    const cpuBefore = cpuByComponent();
    const gateway = await openLoop(gatewayUrl, gatewayBody, headers, opts.rate);
    const cpu = cpuShare(cpuBefore, cpuByComponent(), opts.seconds, gateway.requests);
    const capacity = {
      direct: await load({ url: directUrl, method: "POST", body: directBody, headers: { "content-type": "application/json" }, concurrency: 16, seconds: 10, expectStatus: 201 }),
      gateway: await load({ url: gatewayUrl, method: "POST", body: gatewayBody, headers, concurrency: 16, seconds: 10, expectStatus: 200 }),
    };
    const mcp = await benchMcp({ token, rate: opts.mcpRate, seconds: opts.seconds, mcpUpstream, openLoop });
    return { http: { direct, floor, gateway, cpu, capacity }, mcp };
  } finally {
    for (const child of children) stopServer(child);
    await closeQueues();
    await authState.close();
    await db().$disconnect();
    await dropDatabase();
  }
}

/** Sends `body` at `rate` for `seconds` (open loop) and sums up the latencies. */
const openLoopOf = (seconds: number) => async (url: string, body: string, headers: Record<string, string>, rate: number) => {
  const r = await generateLoad({ url, headers, bodies: [body], rate, seconds });
  return { achieved: r.requests / (r.elapsedMs / 1000), requests: r.requests, failures: r.failures, statuses: r.statuses, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), max: r.latencies.at(-1)!, serverP50: percentile(r.serverMs, 50), serverP99: percentile(r.serverMs, 99), slowSeconds: slowSeconds(r) };
};

/**
 * The record stream entries of the gateway probe (the call's, queued with its decision, and
 * the result's), written to a file for bench/floor-proxy.mjs to replay with fresh ids.
 */
async function captureFloorTemplate(decisionId: string, runId: string): Promise<string> {
  const redis = createRedis();
  try {
    // The result's record is written without waiting for Redis, so it may land just after the answer.
    for (let attempt = 0; attempt < 50; attempt++) {
      const jobs = (await redis.xrange(recordStreamKey(), "-", "+")).map(([, fields]) => fields[1]!);
      const call = jobs.find((job) => job.includes(decisionId) && job.includes('"gateway.call"'));
      const result = jobs.find((job) => job.includes(decisionId) && job.includes('"gateway.result"'));
      if (call && result) {
        const file = ".data/bench-floor-template.json";
        writeFileSync(file, JSON.stringify({ decisionId, runId, call, result }));
        return file;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the gateway probe's record entries did not reach the stream");
  } finally {
    redis.disconnect();
  }
}

/**
 * The MCP path: tools/call through Gatehouse's MCP endpoint (stateless, JSON answers) to the
 * remote MCP server vs the same tools/call sent to that server directly in an open session
 * (its answers are SSE streams, as the SDK serves them), both in open loops at `rate`; and
 * tools/list for an agent that may call 505 operations, timed one request at a time.
 */
async function benchMcp(input: {
  token: string;
  rate: number;
  seconds: number;
  mcpUpstream: string;
  openLoop: ReturnType<typeof openLoopOf>;
}) {
  const session = new Client({ name: "gatehouse-bench", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(input.mcpUpstream), { requestInit: { headers: { authorization: `Bearer ${MCP_TOKEN}` } } });
  await session.connect(transport);
  const rpc = { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": LATEST_PROTOCOL_VERSION };
  const call = (name: string, meta: Record<string, string> = {}) =>
    JSON.stringify({ jsonrpc: "2.0", id: 0, method: "tools/call", params: { name, arguments: { repo: "acme/api" }, _meta: meta } }).replace('"id":0', '"id":{{i}}');
  const gatehouseUrl = `http://127.0.0.1:${AGENT_API_PORT}/api/v1/mcp`;
  const gatehouseHeaders = { ...rpc, authorization: `Bearer ${input.token}` };
  const gatehouseBody = call("github__repos_get", { "gatehouse/run_id": "run_mcp_bench" });

  const probe = await fetch(gatehouseUrl, { method: "POST", headers: gatehouseHeaders, body: gatehouseBody.replace("{{i}}", "1") });
  const answer = (await probe.json()) as { result?: { isError?: boolean; content?: { text: string }[] } };
  if (probe.status !== 200 || answer.result?.isError !== false) throw new Error(`MCP probe answered ${probe.status}: ${JSON.stringify(answer).slice(0, 300)}`);

  const direct = await input.openLoop(input.mcpUpstream, call("repos.get"), { ...rpc, authorization: `Bearer ${MCP_TOKEN}`, "mcp-session-id": transport.sessionId! }, input.rate);
  // Warmed just before its phase: idle for the direct phase, its first seconds were slow again.
  await generateLoad({ url: gatehouseUrl, headers: gatehouseHeaders, bodies: [gatehouseBody], rate: input.rate, seconds: WARM_SECONDS });
  const cpuBefore = cpuByComponent();
  const gateway = await input.openLoop(gatehouseUrl, gatehouseBody, gatehouseHeaders, input.rate);
  const cpu = cpuShare(cpuBefore, cpuByComponent(), input.seconds, gateway.requests);
  await session.close();

  const listBody = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
  const listTimes: number[] = [];
  const listParsedTimes: number[] = [];
  const listServerTimes: number[] = [];
  let listed = 0;
  // 200 timed: the p99 of 50 was the single slowest request. Timed to the answer's last byte,
  // as the load phases are; the bench's own parse of ~300 KB (and the GC it brings) is not Gatehouse's.
  for (let i = 0; i < 210; i++) {
    const started = performance.now();
    const res = await fetch(gatehouseUrl, { method: "POST", headers: gatehouseHeaders, body: listBody });
    const received = await res.text();
    const elapsed = performance.now() - started;
    listed = (JSON.parse(received) as { result: { tools: unknown[] } }).result.tools.length;
    if (i < 10) continue;
    listTimes.push(elapsed);
    listParsedTimes.push(performance.now() - started);
    listServerTimes.push(Number(/dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1]));
  }
  listTimes.sort((a, b) => a - b);
  listServerTimes.sort((a, b) => a - b);
  listParsedTimes.sort((a, b) => a - b);
  return { direct, gateway, cpu, list: { tools: listed, p50: percentile(listTimes, 50), p99: percentile(listTimes, 99), parsedP99: percentile(listParsedTimes, 99), serverP99: percentile(listServerTimes, 99), slowest: listTimes.slice(-3) } };
}
