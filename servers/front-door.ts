/**
 * The front door: the console and the whole machine API on one origin (PORT, default 3000),
 * one process per core (node:cluster). A machine request the lean table serves
 * (servers/agent-api-routes.ts) is answered straight from its route handler on plain
 * `node:http` (lib/http/node-handler.ts), without the Next.js request pipeline, which costs
 * more than a decision itself (docs/PERFORMANCE.md); everything else (console pages,
 * next-auth, static assets, the console API) goes to Next.js as a custom server, from the
 * production build `next build` wrote (NEXT_DIST_DIR, default .next).
 *
 *   PORT (default 3000), FRONT_DOOR_PROCESSES (default: one per core, at most 4),
 *   FRONT_DOOR_NODE_FLAGS (V8/node flags for the serving processes; default SERVING_PROCESS_FLAGS in servers/cluster.ts)
 */
import cluster from "node:cluster";
import { createServer, type IncomingMessage } from "node:http";
import { availableParallelism } from "node:os";
import { env } from "@/lib/env";
import { serveRoute } from "@/lib/http/node-handler";
import { loadDotEnv } from "@/scripts/dotenv";
import { AGENT_API_ROUTES } from "./agent-api-routes";
import { SERVING_PROCESS_FLAGS, serveUntilStopped, superviseServingProcesses } from "./cluster";


loadDotEnv();
env(); // an invalid configuration (in production, no master key) stops the server here, before any fork

const port = Number(process.env.PORT ?? 3000);
const processes = Math.max(1, Number(process.env.FRONT_DOOR_PROCESSES ?? Math.min(4, availableParallelism())));

/** Whether the lean table serves this path (query ignored); it answers a method the path lacks with 405. */
function isMachineRequest(req: Pick<IncomingMessage, "method" | "url">): boolean {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.startsWith("/api/") && !path.startsWith("/.well-known/")) return false;
  return AGENT_API_ROUTES.some((route) => route.pattern.test(path));
}

if (cluster.isPrimary) {
  const flags = process.env.FRONT_DOOR_NODE_FLAGS?.split(" ").filter(Boolean) ?? SERVING_PROCESS_FLAGS;
  superviseServingProcesses({ name: "front door", port, processes, flags });
} else {
  // Next.js reads NODE_ENV when it loads; the console is always served from a production build here.
  Object.assign(process.env, { NODE_ENV: process.env.NODE_ENV ?? "production" });
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: process.cwd(), hostname: "localhost", port });
  const handleNext = app.getRequestHandler();
  await app.prepare(); // runs instrumentation.ts (the start check) like `next start` does
  const server = createServer((req, res) => {
    if (isMachineRequest(req)) void serveRoute(AGENT_API_ROUTES, req, res);
    else void handleNext(req, res);
  });
  serveUntilStopped(server, port);
}
