/**
 * The agent API server: the machine API (API.md) on a plain `node:http` server, one
 * process per core (node:cluster), serving the very route handlers Next.js serves
 * (servers/agent-api-routes.ts). Agents that make many calls (decisions before every tool
 * call, event ingest) point here; the console and the same API stay on the Next.js server.
 * Next.js request handling costs more than a decision itself (docs/PERFORMANCE.md).
 *
 *   AGENT_API_PORT (default 3001), AGENT_API_PROCESSES (default: one per core, at most 4)
 *
 * Its processes run with SERVING_PROCESS_FLAGS (servers/serving-flags.ts says why not
 * --single-threaded-gc, which this server used to set).
 */
import cluster from "node:cluster";
import { createServer } from "node:http";
import { availableParallelism } from "node:os";
import { env } from "@/lib/env";
import { serveRoute } from "@/lib/http/node-handler";
import { logger } from "@/lib/logger";
import { loadDotEnv } from "@/scripts/dotenv";
import { AGENT_API_ROUTES } from "./agent-api-routes";
import { SERVING_PROCESS_FLAGS } from "./serving-flags";

loadDotEnv();
env(); // an invalid configuration (in production, no master key) stops the server here

const port = Number(process.env.AGENT_API_PORT ?? 3001);
const processes = Math.max(1, Number(process.env.AGENT_API_PROCESSES ?? Math.min(4, availableParallelism())));

if (cluster.isPrimary) {
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...SERVING_PROCESS_FLAGS] });
  for (let i = 0; i < processes; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (shuttingDown) return;
    logger.error("agent API process exited; starting another", { pid: worker.process.pid, code, signal });
    cluster.fork();
  });
  let shuttingDown = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      shuttingDown = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
    });
  }
  logger.info("agent API listening", { port, processes });
} else {
  const server = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res));
  // Long polls wait up to 30 s; keep idle agent connections open a little longer than that.
  server.keepAliveTimeout = 35_000;
  server.headersTimeout = 40_000;
  server.listen(port);
  // Finish requests in hand (a long poll answers within its wait), then exit; idle keep-alive
  // connections would otherwise hold the server open.
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 31_000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
