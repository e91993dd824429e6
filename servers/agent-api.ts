/**
 * The agent API server: the machine API (API.md) on a plain `node:http` server, one
 * process per core (node:cluster), serving the very route handlers Next.js serves
 * (servers/agent-api-routes.ts). Agents that make many calls (decisions before every tool
 * call, event ingest) point here; the console and the same API stay on the Next.js server.
 * Next.js request handling costs more than a decision itself (docs/PERFORMANCE.md).
 *
 *   AGENT_API_PORT (default 3001), AGENT_API_PROCESSES (default: one per core, at most 4)
 *
 * Its processes run with SERVING_PROCESS_FLAGS (servers/cluster.ts says why not
 * --single-threaded-gc, which this server used to set).
 */
import cluster from "node:cluster";
import { createServer } from "node:http";
import { availableParallelism } from "node:os";
import { env } from "@/lib/env";
import { serveRoute } from "@/lib/http/node-handler";
import { loadDotEnv } from "@/scripts/dotenv";
import { AGENT_API_ROUTES } from "./agent-api-routes";
import { SERVING_PROCESS_FLAGS, serveUntilStopped, superviseServingProcesses } from "./cluster";

loadDotEnv();
env(); // an invalid configuration (in production, no master key) stops the server here

const port = Number(process.env.AGENT_API_PORT ?? 3001);
const processes = Math.max(1, Number(process.env.AGENT_API_PROCESSES ?? Math.min(4, availableParallelism())));

if (cluster.isPrimary) superviseServingProcesses({ name: "agent API", port, processes, flags: SERVING_PROCESS_FLAGS });
else serveUntilStopped(createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res)), port);
