/** What the agent API server serves: the machine API's route handlers, as Next.js serves them. */
import { GET as health } from "@/app/api/health/route";
import { GET as approval } from "@/app/api/v1/approvals/[approvalId]/route";
import { POST as decisions } from "@/app/api/v1/decisions/route";
import { POST as events } from "@/app/api/v1/events/route";
import { POST as gateway } from "@/app/api/v1/gateway/[tool]/[operation]/route";
import { GET as evidenceKey } from "@/app/api/v1/evidence/public-key/route";
import { GET as jwks } from "@/app/api/v1/oauth/jwks/route";
import { DELETE as mcpDelete, GET as mcpGet, POST as mcp } from "@/app/api/v1/mcp/route";
import { GET as authServerMetadata } from "@/app/api/well-known/oauth-authorization-server/route";
import { GET as resourceMetadata } from "@/app/api/well-known/oauth-protected-resource/route";
import { POST as token } from "@/app/api/v1/oauth/token/route";
import { GET as openapi } from "@/app/api/v1/openapi.json/route";
import { POST as otlp } from "@/app/api/v1/otlp/v1/traces/route";
import { GET as runEvents } from "@/app/api/v1/runs/[runId]/events/route";
import { GET as run } from "@/app/api/v1/runs/[runId]/route";
import { GET as whoami } from "@/app/api/v1/whoami/route";
import { authenticateAgent } from "@/lib/agents/authenticate-agent";
import type { RouteEntry, RouteHandler } from "@/lib/http/node-handler";

const seg = "(?<$>[^/]+)";
const route = (method: string, path: string, handler: unknown, auth?: "agent"): RouteEntry => ({
  method,
  pattern: new RegExp(`^${path.replace(/:(\w+)/g, (_, name: string) => seg.replace("$", name))}$`),
  handler: handler as RouteHandler,
  // The route authenticates again (it must, under Next.js too); this only spares reading a stranger's large body.
  ...(auth && { authenticate: (headers: Headers) => authenticateAgent(headers.get("authorization")) }),
});

export const AGENT_API_ROUTES: RouteEntry[] = [
  route("POST", "/api/v1/decisions", decisions, "agent"),
  route("POST", "/api/v1/gateway/:tool/:operation", gateway, "agent"),
  // Not pre-authenticated: a caller without a token must get MCP's WWW-Authenticate challenge.
  route("POST", "/api/v1/mcp", mcp),
  route("GET", "/api/v1/mcp", mcpGet),
  route("DELETE", "/api/v1/mcp", mcpDelete),
  route("GET", "/.well-known/oauth-protected-resource(?:/api/v1/mcp)?", resourceMetadata),
  route("GET", "/.well-known/oauth-authorization-server", authServerMetadata),
  route("POST", "/api/v1/events", events, "agent"),
  route("POST", "/api/v1/otlp/v1/traces", otlp, "agent"),
  route("GET", "/api/v1/approvals/:approvalId", approval),
  route("GET", "/api/v1/runs/:runId", run),
  route("GET", "/api/v1/runs/:runId/events", runEvents),
  route("POST", "/api/v1/oauth/token", token),
  route("GET", "/api/v1/oauth/jwks", jwks),
  route("GET", "/api/v1/whoami", whoami),
  route("GET", "/api/v1/evidence/public-key", evidenceKey),
  route("GET", "/api/v1/openapi.json", openapi),
  route("GET", "/api/health", health),
];

