import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
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
  // BENCH_PROFILE_DIR=/tmp/prof: each agent API process writes a CPU profile there when stopped.
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const server = spawn(process.execPath, [...profile, "--import", "tsx", "servers/agent-api.ts"], { stdio: "ignore", env, detached: true });
  return waitUntilUp(server, port, "the agent API server");
}

export function stopServer(server: ChildProcess) {
  try {
    if (server.pid) process.kill(-server.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/**
 * Closed-loop load: `concurrency` clients each send the next request when the last one
 * answers, for `seconds`. Returns requests/s and latency percentiles in ms.
 */
export async function load(opts: { url: string; method?: string; body?: string; headers?: Record<string, string>; concurrency: number; seconds: number; expectStatus: number }) {
  const latencies: number[] = [];
  let wrongStatus = 0;
  const end = performance.now() + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        const res = await fetch(opts.url, { method: opts.method ?? "GET", headers: opts.headers, body: opts.body });
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
        if (res.status !== opts.expectStatus) wrongStatus++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: latencies.length / opts.seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    wrongStatus,
  };
}
