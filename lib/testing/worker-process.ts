/**
 * Durability tests drive a real worker process (workers/index.ts): started, SIGKILLed
 * mid-stream and restarted, optionally reaching Postgres through a proxy that can be taken
 * down (every connection dropped, new ones refused) while the shared server stays up.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy to Postgres that can be taken down and up again. */
export function postgresProxy(target: { host: string; port: number }) {
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
    /** DATABASE_URL through this proxy. */
    databaseUrl(url: string) {
      const viaProxy = new URL(url);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(port);
      return viaProxy.toString();
    },
  };
}

/** A worker process under test; `log` keeps the output of every worker it started. */
export function workerProcess(opts: { env?: () => Record<string, string> } = {}) {
  let worker: ChildProcess | null = null;
  let log = "";
  let startedAt = 0; // offset in log of the current worker's output
  let crashes = 0; // exits the test did not cause
  return {
    get log() {
      return log;
    },
    get crashes() {
      return crashes;
    },
    start() {
      startedAt = log.length;
      worker = spawn(process.execPath, ["--import", "tsx", "workers/index.ts"], {
        env: { ...process.env, NODE_ENV: "test", ...opts.env?.() },
        stdio: ["ignore", "pipe", "pipe"],
      });
      worker.on("exit", (_code, signal) => {
        if (signal !== "SIGKILL" && signal !== "SIGTERM") crashes++;
      });
      worker.stdout?.on("data", (d) => (log += d));
      worker.stderr?.on("data", (d) => (log += d));
    },
    /** Resolves once the worker logged that its queues run (startup compiles TypeScript: seconds on a busy machine). */
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!log.includes('"workers started"', startedAt)) {
        if (Date.now() > deadline) throw new Error(`worker did not start:\n${log.slice(-2_000)}`);
        await sleep(100);
      }
    },
    kill() {
      worker?.kill("SIGKILL");
      worker = null;
    },
  };
}
