/**
 * What the lean server serves: every operation of the machine API (OPERATIONS in
 * lib/api/contract.ts, the list the OpenAPI document comes from), each with the handler of
 * the route module Next.js serves its path from. An operation whose module or method is
 * missing stops the server at load; servers/agent-api-routes.test.ts fails on a route module
 * no operation declares.
 */
import path from "node:path";
import { OPERATIONS, pathPattern, type Operation } from "@/lib/api/contract";
import { authenticateAgent } from "@/lib/agents/authenticate-agent";
import type { RouteEntry, RouteHandler } from "@/lib/http/node-handler";
import nextConfig from "@/next.config.mjs";

export const operationKey = (op: Pick<Operation, "method" | "path">) => `${op.method.toUpperCase()} ${op.path}`;

const ROOT = path.resolve(import.meta.dirname, "..");
const rewrites = (await nextConfig.rewrites!()) as { source: string; destination: string }[];

/** `/api/v1/runs/{run_id}` → app/api/v1/runs/[run_id]/route.ts (a /.well-known/… path through its next.config.mjs rewrite). */
export function routeModuleFor(opPath: string): string {
  const served = rewrites.find((rewrite) => rewrite.source === opPath)?.destination ?? opPath;
  return path.join(ROOT, "app", served.replace(/\{(\w+)\}/g, "[$1]"), "route.ts");
}

async function routeEntry(op: Operation): Promise<RouteEntry> {
  const module = (await import(/* @vite-ignore */ routeModuleFor(op.path))) as Record<string, unknown>;
  const handler = module[op.method.toUpperCase()];
  if (typeof handler !== "function") throw new Error(`${routeModuleFor(op.path)} exports no ${op.method.toUpperCase()} for ${operationKey(op)}`);
  return {
    method: op.method.toUpperCase(),
    pattern: pathPattern(op.path),
    handler: handler as RouteHandler,
    // The route authenticates again (it must, under Next.js too); this only spares reading a stranger's large body.
    ...(op.auth === "agent" && !op.challengesItself && { authenticate: (headers: Headers) => authenticateAgent(headers.get("authorization")) }),
  };
}

export const AGENT_API_ROUTES: RouteEntry[] = await Promise.all(OPERATIONS.map(routeEntry));

/** Each operation's handler by "METHOD path" (the path as the OpenAPI document writes it). */
export const HANDLERS = new Map(OPERATIONS.map((op, i) => [operationKey(op), AGENT_API_ROUTES[i]!.handler]));
