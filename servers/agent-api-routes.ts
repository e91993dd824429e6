/**
 * What the lean server serves: every operation of the machine API (OPERATIONS in
 * lib/api/contract.ts, the list the OpenAPI document comes from) with the handler Next.js
 * serves it with. An operation without a handler, or a handler without an operation, stops
 * the server at load (and fails servers/agent-api-routes.test.ts).
 */
import { GET as health } from "@/app/api/health/route";
import { GET as approval } from "@/app/api/v1/approvals/[approval_id]/route";
import { POST as decisions } from "@/app/api/v1/decisions/route";
import { POST as events } from "@/app/api/v1/events/route";
import { POST as gateway } from "@/app/api/v1/gateway/[tool]/[operation]/route";
import { GET as evidenceKey } from "@/app/api/v1/evidence/public-key/route";
import { GET as jwks } from "@/app/api/v1/oauth/jwks/route";
import { POST as mcp } from "@/app/api/v1/mcp/route";
import { GET as authServerMetadata } from "@/app/api/well-known/oauth-authorization-server/route";
import { GET as resourceMetadata } from "@/app/api/well-known/oauth-protected-resource/route";
import { POST as token } from "@/app/api/v1/oauth/token/route";
import { GET as openapi } from "@/app/api/v1/openapi.json/route";
import { POST as otlp } from "@/app/api/v1/otlp/v1/traces/route";
import { GET as runEvents } from "@/app/api/v1/runs/[run_id]/events/route";
import { GET as run } from "@/app/api/v1/runs/[run_id]/route";
import { GET as whoami } from "@/app/api/v1/whoami/route";
import { OPERATIONS, pathPattern, type Operation } from "@/lib/api/contract";
import { authenticateAgent } from "@/lib/agents/authenticate-agent";
import type { RouteEntry, RouteHandler } from "@/lib/http/node-handler";

/** Handlers by "METHOD path", the path as the OpenAPI document writes it. */
export const HANDLERS: Record<string, unknown> = {
  "GET /api/health": health,
  "POST /api/v1/oauth/token": token,
  "GET /api/v1/oauth/jwks": jwks,
  "POST /api/v1/decisions": decisions,
  "POST /api/v1/gateway/{tool}/{operation}": gateway,
  "POST /api/v1/mcp": mcp,
  "GET /.well-known/oauth-protected-resource": resourceMetadata,
  "GET /.well-known/oauth-protected-resource/api/v1/mcp": resourceMetadata,
  "GET /.well-known/oauth-authorization-server": authServerMetadata,
  "GET /api/v1/approvals/{approval_id}": approval,
  "GET /api/v1/whoami": whoami,
  "POST /api/v1/events": events,
  "POST /api/v1/otlp/v1/traces": otlp,
  "GET /api/v1/runs/{run_id}": run,
  "GET /api/v1/runs/{run_id}/events": runEvents,
  "GET /api/v1/evidence/public-key": evidenceKey,
  "GET /api/v1/openapi.json": openapi,
};

export const operationKey = (op: Pick<Operation, "method" | "path">) => `${op.method.toUpperCase()} ${op.path}`;

function routeEntry(op: Operation): RouteEntry {
  const handler = HANDLERS[operationKey(op)];
  if (!handler) throw new Error(`No handler for ${operationKey(op)} (servers/agent-api-routes.ts)`);
  return {
    method: op.method.toUpperCase(),
    pattern: pathPattern(op.path),
    handler: handler as RouteHandler,
    // The route authenticates again (it must, under Next.js too); this only spares reading a stranger's large body.
    ...(op.auth === "agent" && !op.challengesItself && { authenticate: (headers: Headers) => authenticateAgent(headers.get("authorization")) }),
  };
}

const unclaimed = Object.keys(HANDLERS).filter((key) => !OPERATIONS.some((op) => operationKey(op) === key));
if (unclaimed.length) throw new Error(`Handlers for operations lib/api/contract.ts does not declare: ${unclaimed.join(", ")}`);

export const AGENT_API_ROUTES: RouteEntry[] = OPERATIONS.map(routeEntry);
