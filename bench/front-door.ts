/**
 * The front door (servers/front-door.ts, issue 14): POST /api/v1/decisions at a fixed offered
 * rate (open loop) at the console's own origin, next to a bare `node:http` handler (reads the
 * body, answers a small JSON) under the same load generator, with the worker recording the
 * decisions meanwhile, as in every deployment. Target: the front door's p99 within 2× the
 * bare handler's plus 3 ms. Then the lean agent API server alone (servers/agent-api.ts) under the
 * same load, for what the front door adds. Also checks that the same port serves the console.
 * bench/soak.ts reuses the setup for the long run.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { authState } from "@/lib/agents/auth-state";
import { signAgentToken } from "@/lib/agents/agent-token";
import { db } from "@/lib/db/client";
import { closeQueues } from "@/lib/queue/registry";
import { createTestCredential } from "@/lib/testing/factories";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { WARM_SECONDS, benchDatabase, cpuByComponent, cpuShare, generateLoad, percentile, slowSeconds, startAgentApi, startWorker, stopServer, type LoadResult } from "./support";

const DIST_DIR = ".next-bench";

/** The production build the front door serves the console from (BENCH_BUILD=0 reuses the last one). */
export function buildConsole() {
  if (process.env.BENCH_BUILD === "0") return;
  console.log(`› next build (${DIST_DIR})`);
  const env = { ...process.env, NEXT_DIST_DIR: DIST_DIR, NODE_ENV: "production" } as NodeJS.ProcessEnv;
  if (spawnSync("npx", ["next", "build"], { stdio: ["ignore", "ignore", "inherit"], env }).status !== 0) throw new Error("next build failed");
}

export type FrontDoor = { server: ChildProcess; exits: () => string[] };

/**
 * servers/front-door.ts on `port` with `processes` serving processes. `exits` lists the
 * primary's restarts so far (its "process exited" log lines: a serving process died).
 */
export async function startFrontDoor(port: number, processes: number, flags?: string): Promise<FrontDoor> {
  if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) throw new Error(`port ${port} is already in use; stop whatever listens there`);
  const env = { ...process.env, PORT: String(port), FRONT_DOOR_PROCESSES: String(processes), NEXT_DIST_DIR: DIST_DIR, NODE_ENV: "production", ...(flags !== undefined && { FRONT_DOOR_NODE_FLAGS: flags }) } as NodeJS.ProcessEnv;
  const server = spawn(process.execPath, ["--import", "tsx", "servers/front-door.ts"], { stdio: ["ignore", "ignore", "pipe"], env, detached: true });
  const exits: string[] = [];
  let pending = "";
  const log = createWriteStream(`.data/bench-front-door-${port}.log`);
  server.stderr!.on("data", (chunk: Buffer) => {
    log.write(chunk);
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.includes("front door process exited")) exits.push(line);
      // V8 fatal errors and crash reports come here too: keep them visible.
      if (!line.startsWith("{")) process.stderr.write(`[front door] ${line}\n`);
    }
  });
  // A process per core, each loading the Next.js build: slower to start than waitUntilUp's 30 s on a busy machine.
  for (let i = 0; i < 240; i++) {
    if (await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false)) return { server, exits: () => exits };
    await new Promise((r) => setTimeout(r, 500));
  }
  stopServer(server);
  throw new Error(`the front door did not start on port ${port}; see .data/bench-front-door-${port}.log`);
}

/** A bare node:http handler: what the machine can do with no application at all. */
async function startBareHandler(port: number): Promise<ChildProcess> {
  const code = `require("node:http").createServer((req, res) => {
    req.on("data", () => {});
    req.on("end", () => { const body = '{"decision":"allow"}'; res.writeHead(200, { "content-type": "application/json", "content-length": body.length }); res.end(body); });
  }).listen(${port});`;
  const server = spawn(process.execPath, ["-e", code], { stdio: "ignore", detached: true });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the bare handler did not start");
}

/** A tenant with decision rules and an agent token good for `ttlSeconds`. */
export async function decisionTenant(ttlSeconds: number) {
  const { tenant, owner, agent } = await createPolicyTenant();
  await publishRules(owner, [
    rule({ tool: "stripe", operations: ["refunds.create"], constraints: [{ op: "max", arg: "amount_cents", value: 50_000 }], approval: { tier: "threshold", arg: "amount_cents", above: 10_000 } }),
    rule({ tool: "stripe", operations: ["charges.retrieve"] }),
  ]);
  const credential = await createTestCredential(tenant.id, agent.id);
  const { token } = await signAgentToken({ agentId: agent.id, tenantId: tenant.id, credentialId: credential.id, ttlSeconds });
  return { token, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } };
}

export const DECISION_BODIES = [
  JSON.stringify({ run_id: "run_bench", tool: "stripe", operation: "refunds.create", args: { charge_id: "ch_1", amount_cents: 500 } }),
  JSON.stringify({ run_id: "run_bench", tool: "stripe", operation: "charges.retrieve", args: { charge_id: "ch_1" } }),
  JSON.stringify({ run_id: "run_bench", tool: "github", operation: "repos.get", args: { repo: "acme/web" } }),
];

export function summarize(r: LoadResult) {
  return {
    achieved: r.requests / (r.elapsedMs / 1000),
    requests: r.requests,
    failures: r.failures,
    statuses: r.statuses,
    p50: percentile(r.latencies, 50),
    p99: percentile(r.latencies, 99),
    max: r.latencies.at(-1) ?? NaN,
    slowSeconds: slowSeconds(r),
  };
}

export async function benchFrontDoor(opts: { rate: number; seconds: number; processes: number }) {
  const dropDatabase = await benchDatabase();
  const frontPort = 3211;
  const barePort = 3212;
  const leanPort = 3214;
  const { headers } = await decisionTenant(3600);
  buildConsole();
  const children: ChildProcess[] = [];
  try {
    const worker = await startWorker();
    children.push(worker);
    const front = await startFrontDoor(frontPort, opts.processes);
    children.push(front.server);
    const bare = await startBareHandler(barePort);
    children.push(bare);

    const base = `http://127.0.0.1:${frontPort}`;
    const probe = await fetch(`${base}/api/v1/decisions`, { method: "POST", headers, body: DECISION_BODIES[0] });
    if (probe.status !== 200) throw new Error(`decision endpoint answered ${probe.status}: ${(await probe.text()).slice(0, 300)}`);
    // The console on the same port, through Next.js: the sign-in page and a console API (401 unauthenticated).
    const consolePages = { signin: (await fetch(`${base}/signin`)).status, consoleApi: (await fetch(`${base}/api/console/tenants`)).status };

    const run = (port: number, rate: number, seconds: number) => generateLoad({ url: `http://127.0.0.1:${port}/api/v1/decisions`, headers, bodies: DECISION_BODIES, rate, seconds });
    /** A measured phase: its latencies, and the CPU each component spent on it per decision. */
    const measure = async (port: number) => {
      const before = cpuByComponent();
      const r = await run(port, opts.rate, opts.seconds);
      return { ...summarize(r), cpu: cpuShare(before, cpuByComponent(), r.elapsedMs / 1000, Math.max(1, r.requests)) };
    };
    // Each server is warmed at the measured rate just before its phase.
    const warm = (port: number) => run(port, opts.rate, WARM_SECONDS);
    await warm(barePort);
    const bareResult = await measure(barePort);
    await warm(frontPort);
    const frontResult = await measure(frontPort);
    const exits = front.exits().length;
    // The lean table alone (servers/agent-api.ts) under the same load: what the front door adds, if anything.
    stopServer(front.server);
    const agentApi = await startAgentApi(leanPort, opts.processes);
    children.push(agentApi);
    await warm(leanPort);
    const leanResult = await measure(leanPort);
    return { consolePages, bare: bareResult, front: frontResult, lean: leanResult, exits };
  } finally {
    children.forEach(stopServer);
    await closeQueues();
    await authState.close();
    await db().$disconnect();
    await dropDatabase();
  }
}
