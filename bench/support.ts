import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { openSync, readFileSync, readdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { Redis } from "ioredis";
import pg from "pg";
import { ensureDatabase, migrate } from "@/lib/db/migrate";
import { deleteKeysWithPrefix } from "@/lib/redis";
import { databaseUrls, ensureServices } from "@/scripts/services";

export function machine(): string {
  return `${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A private database with migrations applied; env points lib/ at it. Returns a cleanup. */
export async function benchDatabase() {
  const services = await ensureServices();
  const database = `gh_bench_${process.pid}_${randomBytes(3).toString("hex")}`;
  const { adminUrl, appUrl } = databaseUrls(services.serverUrl, database);
  await ensureDatabase(adminUrl);
  await migrate({ adminUrl, appUrl });
  Object.assign(process.env, {
    DATABASE_URL: appUrl,
    MIGRATE_DATABASE_URL: adminUrl,
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: `gh-bench-${process.pid}`,
    NEXTAUTH_SECRET: randomBytes(16).toString("hex"),
    // The servers run with NODE_ENV=production, which refuses to start without a master key.
    GATEHOUSE_MASTER_KEY: randomBytes(32).toString("base64"),
  });
  return async () => {
    const server = new pg.Client({ connectionString: databaseUrls(services.serverUrl, "postgres").adminUrl });
    await server.connect();
    await server.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
    await server.end();
    // Left behind, queued jobs bloat Redis, and its AOF rewrites stall later runs.
    const redis = new Redis(services.redisUrl);
    await deleteKeysWithPrefix(redis, `gh-bench-${process.pid}`);
    redis.disconnect();
  };
}

/** `next start` on a fresh production build of the current sources, in .next-bench. */
export async function startServer(port: number): Promise<ChildProcess> {
  // A server left behind by an interrupted run would answer for another database.
  if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) throw new Error(`port ${port} is already in use; stop whatever listens there`);
  const env = { ...process.env, NEXT_DIST_DIR: ".next-bench", NODE_ENV: "production" } as NodeJS.ProcessEnv;
  console.log("› next build (.next-bench)");
  if (spawnSync("npx", ["next", "build"], { stdio: ["ignore", "ignore", "inherit"], env }).status !== 0) throw new Error("next build failed");
  const server = spawn("npx", ["next", "start", "-p", String(port)], { stdio: "ignore", env, detached: true });
  return waitUntilUp(server, port, "next start");
}

/** Resolves with `server` once it answers on `port`; 30 s at most. */
export async function waitUntilUp(server: ChildProcess, port: number, what: string): Promise<ChildProcess> {
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/api/v1/oauth/jwks`).then((r) => r.ok, () => false)) return server;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not start on port ${port}`);
}

/** The agent API server (servers/agent-api.ts) on `port`, with `processes` node:cluster workers. */
export async function startAgentApi(port: number, processes: number): Promise<ChildProcess> {
  if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) throw new Error(`port ${port} is already in use; stop whatever listens there`);
  const env = { ...process.env, AGENT_API_PORT: String(port), AGENT_API_PROCESSES: String(processes), NODE_ENV: "production" } as NodeJS.ProcessEnv;
  // BENCH_PROFILE_DIR=/tmp/prof: each agent API process (and the worker) writes a CPU profile there when stopped.
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  // BENCH_AGENT_API_FLAGS="--trace-gc": more node flags for the agent API processes; their output goes to .data/bench-agent-api.log.
  const flags = process.env.BENCH_AGENT_API_FLAGS?.split(" ").filter(Boolean) ?? [];
  const out = flags.length ? openSync(".data/bench-agent-api.log", "w") : "ignore";
  const server = spawn(process.execPath, [...profile, ...flags, "--import", "tsx", "servers/agent-api.ts"], { stdio: ["ignore", out, "inherit"], env, detached: true });
  return waitUntilUp(server, port, "the agent API server");
}

/**
 * The baseline: a bare `node:http` handler that reads the body and answers a fixed small
 * JSON 200, in its own process, measured with the same load generator in the same run, so
 * a figure can be stated as a ratio that survives a noisy machine.
 */
export async function startBareHandler(port: number): Promise<ChildProcess> {
  if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) throw new Error(`port ${port} is already in use; stop whatever listens there`);
  const code = `require("node:http").createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "application/json" }); res.end('{"decision":"allow"}'); }); }).listen(${port}, "127.0.0.1");`;
  // The trailing argument names the process for cpuByComponent.
  const server = spawn(process.execPath, ["-e", code, "bench-bare-handler"], { stdio: "ignore", detached: true });
  return waitUntilUp(server, port, "the bare node:http handler");
}

/**
 * The worker process a deployment runs (workers/index.ts, every queue), started before a
 * bench's load and left running through it; resolves once it logged that its queues run.
 * Its output goes to .data/bench-worker.log. BENCH_PROFILE_DIR=/tmp/prof: it writes a CPU
 * profile to /tmp/prof/worker when stopped; BENCH_WORKER_FLAGS="--max-semi-space-size=64": more node flags.
 */
export async function startWorker(): Promise<ChildProcess> {
  const logPath = ".data/bench-worker.log";
  const log = openSync(logPath, "w");
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}/worker`] : [];
  const flags = process.env.BENCH_WORKER_FLAGS?.split(" ").filter(Boolean) ?? [];
  const worker = spawn(process.execPath, [...profile, ...flags, "--import", "tsx", "workers/index.ts"], { stdio: ["ignore", log, log], env: { ...process.env, NODE_ENV: "production" }, detached: true });
  for (let i = 0; i < 300; i++) {
    if (readFileSync(logPath, "utf8").includes('"workers started"')) return worker;
    if (worker.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the worker did not start:\n${readFileSync(logPath, "utf8").slice(-2_000)}`);
}

export function stopServer(server: ChildProcess) {
  try {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/**
 * Closed-loop load (generateLoad): `concurrency` clients each send the next request when
 * the last one answers, for `seconds`. Returns requests/s, latency percentiles in ms, and
 * how many answers had another status than `expectStatus`.
 */
export async function load(opts: { url: string; method?: string; body?: string; headers?: Record<string, string>; concurrency: number; seconds: number; expectStatus: number }) {
  const r = await generateLoad({ url: opts.url, method: opts.method ?? "GET", headers: opts.headers ?? {}, bodies: [opts.body ?? ""], concurrency: opts.concurrency, seconds: opts.seconds });
  return {
    requests: r.requests,
    perSecond: r.requests / (r.elapsedMs / 1000),
    p50: percentile(r.latencies, 50),
    p99: percentile(r.latencies, 99),
    wrongStatus: r.requests - (r.statuses[opts.expectStatus] ?? 0),
  };
}

/**
 * Which part of the system a process is, from its command line (null: not ours to count).
 * Node processes count only if this bench started them (other benches on a shared machine
 * run workers too); Postgres and Redis are shared servers and count whole.
 */
function componentOf(pid: number, cmdline: string, ours: boolean): string | null {
  if (pid === process.pid) return "load generator";
  if (cmdline.startsWith("postgres")) return "postgres";
  if (cmdline.includes("redis-server")) return "redis";
  if (!ours) return null;
  if (cmdline.includes("servers/agent-api.ts")) return "agent API";
  if (cmdline.includes("servers/front-door.ts")) return "front door";
  if (cmdline.includes("workers/index.ts")) return "worker";
  if (cmdline.includes("bench/upstream.mjs")) return "upstream";
  if (cmdline.includes("bench/floor-proxy.mjs")) return "floor proxy";
  if (cmdline.includes("bench/mcp-upstream.ts")) return "mcp upstream";
  if (cmdline.includes("bench-bare-handler")) return "bare handler";
  if (cmdline.includes("next-server") || cmdline.includes("next start")) return "next";
  return null;
}

/**
 * CPU seconds used so far by each part of the system (user + system, from /proc), so a
 * bench can say where the two cores went. Linux only; elsewhere an empty map.
 */
export function cpuByComponent(): Map<string, number> {
  const totals = new Map<string, number>();
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return totals;
  }
  const stats = new Map<number, { parent: number; seconds: number; cmdline: string }>();
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      // Fields after the ")" closing the command name: ppid is the 2nd, utime and stime the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(pid), { parent: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / 100, cmdline }); // USER_HZ is 100 on Linux
    } catch {
      // the process ended between listing and reading
    }
  }
  const descends = (pid: number) => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = stats.get(p)?.parent ?? 0, hops++) if (p === process.pid) return true;
    return false;
  };
  for (const [pid, { seconds, cmdline }] of stats) {
    const component = componentOf(pid, cmdline, descends(pid));
    if (component) totals.set(component, (totals.get(component) ?? 0) + seconds);
  }
  return totals;
}

/** CPU per component between two `cpuByComponent` readings, as cores busy and µs per unit of work. */
export function cpuShare(before: Map<string, number>, after: Map<string, number>, seconds: number, units: number) {
  return [...after]
    .map(([component, total]) => ({ component, cores: (total - (before.get(component) ?? 0)) / seconds, usPerUnit: ((total - (before.get(component) ?? 0)) * 1e6) / units }))
    .filter((c) => c.cores > 0.005)
    .sort((a, b) => b.cores - a.cores);
}

/**
 * Seconds of load at the measured rate before a measured phase. V8 optimizes a function
 * only after many calls: after 300 sequential requests, or 100/s for 5 s, the first
 * seconds at 500/s were still slow (docs/PERFORMANCE.md, "The first seconds").
 */
export const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 10);

export type TimelineSecond = { second: number; requests: number; maxMs: number; over10ms: number };
export type LoadResult = {
  latencies: number[];
  serverMs: number[];
  timeline: TimelineSecond[];
  /** Wall-clock ms of second 0 of `timeline`. */
  startedAtMs: number;
  /** CPU samples taken about once a second while the load ran (`sampleCpu`). */
  cpu: CpuSample[];
  statuses: Record<string, number>;
  failures: number;
  summed: number;
  requests: number;
  elapsedMs: number;
};

/**
 * HTTP load from bench/load-generator.mjs in its own thread: an open loop at `rate`
 * requests/s, or a closed loop of `concurrency` clients, for `seconds`. Request i's body is
 * `bodies[i % n]` with "{{i}}" replaced by i. `sumField` sums that field of 2xx JSON answers.
 * Latencies come back sorted.
 */
export function generateLoad(opts: {
  url: string;
  method?: string;
  headers: Record<string, string>;
  bodies: string[];
  seconds: number;
  rate?: number;
  concurrency?: number;
  sumField?: string;
}): Promise<LoadResult> {
  const url = new URL(opts.url);
  const workerData = { host: url.hostname, port: Number(url.port), path: url.pathname, method: opts.method ?? "POST", headers: opts.headers, bodies: opts.bodies, seconds: opts.seconds, rate: opts.rate, concurrency: opts.concurrency, sumField: opts.sumField };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./load-generator.mjs", import.meta.url), { workerData });
    const sampler = sampleCpu();
    worker.once("message", (result: Omit<LoadResult, "cpu">) => {
      result.latencies.sort((a, b) => a - b);
      result.serverMs.sort((a, b) => a - b);
      resolve({ ...result, cpu: sampler.stop() });
    });
    worker.once("error", (error) => {
      sampler.stop();
      reject(error);
    });
  });
}

/** Loads that ran side by side (one per server) as one: latencies merged and sorted, counts summed. */
export function mergeLoads(results: LoadResult[]): LoadResult {
  const statuses: Record<string, number> = {};
  for (const r of results) for (const [status, n] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  return {
    latencies: results.flatMap((r) => r.latencies).sort((a, b) => a - b),
    serverMs: results.flatMap((r) => r.serverMs).sort((a, b) => a - b),
    timeline: mergeTimelines(results.map((r) => r.timeline)),
    // Side by side: the same seconds, the same machine; the first load's clock and samples serve.
    startedAtMs: results[0]!.startedAtMs,
    cpu: results[0]!.cpu,
    statuses,
    failures: results.reduce((sum, r) => sum + r.failures, 0),
    summed: results.reduce((sum, r) => sum + r.summed, 0),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
  };
}

function mergeTimelines(timelines: TimelineSecond[][]): TimelineSecond[] {
  const bySecond = new Map<number, TimelineSecond>();
  for (const slot of timelines.flat()) {
    const merged = bySecond.get(slot.second) ?? { second: slot.second, requests: 0, maxMs: 0, over10ms: 0 };
    bySecond.set(slot.second, { second: slot.second, requests: merged.requests + slot.requests, maxMs: Math.max(merged.maxMs, slot.maxMs), over10ms: merged.over10ms + slot.over10ms });
  }
  return [...bySecond.values()].sort((a, b) => a.second - b.second);
}

/**
 * The (at most `limit`) worst seconds of a run for slow requests (over 10 ms), in time order,
 * each with where the machine's CPU went in the sample interval around it, e.g.
 * "s3 (09:15:04): 212/500 over 10 ms, max 3100 ms [busy 1.9 (steal 0.0): agent API 1.2, postgres 0.4, other 0.2]";
 * "none" when no second had one.
 */
export function slowSeconds(run: Pick<LoadResult, "timeline" | "startedAtMs" | "cpu">, limit = 6): string {
  const slow = run.timeline.filter((s) => s.over10ms > 0).sort((a, b) => b.over10ms - a.over10ms).slice(0, limit).sort((a, b) => a.second - b.second);
  const cpuAt = (second: number) => {
    const middle = run.startedAtMs + second * 1000 + 500;
    const after = run.cpu.findIndex((sample) => sample.at >= middle);
    const [a, b] = after > 0 ? [run.cpu[after - 1]!, run.cpu[after]!] : [];
    return a && b ? ` [${describeCpu(a, b)}]` : "";
  };
  return slow.length ? slow.map((s) => `s${s.second} (${new Date(run.startedAtMs + s.second * 1000).toISOString().slice(11, 19)}): ${s.over10ms}/${s.requests} over 10 ms, max ${Math.round(s.maxMs)} ms${cpuAt(s.second)}`).join("; ") : "none";
}

/** A moment's CPU counters: the machine's busy and stolen seconds (/proc/stat) and each component's (`cpuByComponent`). */
export type CpuSample = { at: number; busy: number; steal: number; components: Map<string, number> };

function machineCpu(): { busy: number; steal: number } {
  try {
    // cpu  user nice system idle iowait irq softirq steal ... (USER_HZ ticks, 100 per second)
    const ticks = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
    return { busy: (user + nice + system + irq + softirq) / 100, steal: steal / 100 };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}

/** Samples CPU about once a second until stopped: with a slow second's timestamp, says whether the machine was busy and with what. */
function sampleCpu(everyMs = 1000): { stop: () => CpuSample[] } {
  const samples: CpuSample[] = [];
  const take = () => samples.push({ at: Date.now(), ...machineCpu(), components: cpuByComponent() });
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Cores used between two samples: the machine's, the stolen, each component's above 0.05, and what no component accounts for ("other"). */
function describeCpu(a: CpuSample, b: CpuSample): string {
  const seconds = (b.at - a.at) / 1000;
  const cores = (x: number, y: number) => (y - x) / seconds;
  const parts = [...b.components].map(([name, total]) => [name, cores(a.components.get(name) ?? total, total)] as const).filter(([, c]) => c >= 0.05).sort((x, y) => y[1] - x[1]);
  const other = cores(a.busy, b.busy) - parts.reduce((sum, [, c]) => sum + c, 0);
  return `busy ${cores(a.busy, b.busy).toFixed(1)} (steal ${cores(a.steal, b.steal).toFixed(1)}): ${[...parts, ["other", other] as const].map(([name, c]) => `${name} ${c.toFixed(1)}`).join(", ")}`;
}
