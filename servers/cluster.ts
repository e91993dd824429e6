/**
 * What the serving processes of the front door and of the optional agent API server share:
 * one primary that forks one process per core and restarts one that dies, and processes
 * that serve until told to stop.
 */
import cluster from "node:cluster";
import type { Server } from "node:http";
import { availableParallelism } from "node:os";
import { logger } from "@/lib/logger";

/**
 * No --single-threaded-gc: with that experimental flag a serving process died of a V8 fatal
 * error (`unreachable code` in Deoptimizer::DoComputeBuiltinContinuation, SIGTRAP) within two
 * minutes of `npm run bench -- soak`; without it the 10-minute soak had no exit (issue 13,
 * docs/PERFORMANCE.md "One front door"). A fixed young generation is a stable option.
 *
 * On two cores or fewer, young-generation GCs run on the serving thread alone: their helper
 * threads could only run on a core that another serving process, the worker or the database
 * needs, and the pause waited for them (scavenge p90 8.2 → 5.0 ms, gateway p99 overhead
 * 25–26 → 12–17 ms in two runs each; docs/PERFORMANCE.md "A floor for the gateway").
 */
export const SERVING_PROCESS_FLAGS = ["--max-semi-space-size=16", ...(availableParallelism() <= 2 ? ["--no-parallel-scavenge"] : [])];

/**
 * The primary: forks `processes` serving processes with `flags` and starts another when one
 * dies ("<name> process exited", which the soak bench counts). A process that never listened
 * failed to start (a build missing, a bad configuration): starting another would fail the
 * same way, over and over, so the whole server stops instead.
 */
export function superviseServingProcesses(opts: { name: string; port: number; processes: number; flags: string[] }) {
  const { name, port, processes, flags } = opts;
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...flags] });
  const listening = new Set<number>();
  let shuttingDown = false;
  for (let i = 0; i < processes; i++) cluster.fork();
  cluster.on("listening", (worker) => {
    listening.add(worker.id);
    if (listening.size === processes) logger.info(`${name} listening`, { port, processes, flags });
  });
  cluster.on("exit", (worker, code, signal) => {
    if (shuttingDown) return;
    if (!listening.has(worker.id)) {
      logger.error(`${name} process failed to start; stopping`, { pid: worker.process.pid, code, signal });
      shuttingDown = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.kill("SIGTERM");
      process.exitCode = 1;
      return;
    }
    listening.delete(worker.id);
    logger.error(`${name} process exited; starting another`, { pid: worker.process.pid, code, signal });
    cluster.fork();
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      shuttingDown = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
    });
  }
}

/** A serving process: listens, and on SIGTERM/SIGINT finishes the requests in hand, then exits. */
export function serveUntilStopped(server: Server, port: number) {
  // Long polls wait up to 30 s; keep idle agent connections open a little longer than that.
  server.keepAliveTimeout = 35_000;
  server.headersTimeout = 40_000;
  server.listen(port);
  const stop = () => {
    // MCP subscription streams (lib/mcp/listen.ts) stay open until ended, so they are ended here.
    // Imported now, not at load: the cluster's primary process loads this file too, and serves nothing.
    void import("@/lib/mcp/listen").then((listen) => listen.endListenStreams());
    server.close(() => process.exit(0));
    // A keep-alive connection whose answer ends after close() (a long poll within its wait, an
    // ended stream) stays open, and close() waits for it: closed as soon as it is idle.
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => process.exit(0), 31_000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
