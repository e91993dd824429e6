/**
 * The machine API (shared/API.md) as zod schemas. Routes validate with these and
 * /api/v1/openapi.json is generated from them, so the two cannot drift.
 */
import { z } from "zod";
import { eventsRequest, eventsResponse } from "@/lib/ingest/schemas";
import { runEventsBody, runSummaryBody } from "@/lib/runs/schemas";
import { decisionRequest, decisionResponse } from "@/lib/decisions/schemas";
import { gatewayRequest, gatewayResponse } from "@/lib/gateway/schemas";
import { evidencePublicKeyBody } from "@/lib/evidence/schemas";

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "snake_case error code" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error" });

export const healthBody = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({
      postgres: z.object({ ok: z.boolean(), latency_ms: z.number().optional(), error: z.string().optional() }),
      redis: z.object({ ok: z.boolean(), latency_ms: z.number().optional(), error: z.string().optional() }),
    }),
    time: z.string(),
  })
  .meta({ id: "Health" });

export const whoamiBody = z
  .object({ agent_id: z.string(), agent_name: z.string(), tenant_id: z.string(), token_id: z.string() })
  .meta({ id: "WhoAmI" });

export const tokenRequest = z
  .object({
    grant_type: z.enum(["client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"]),
    client_id: z.string().optional(),
    client_secret: z.string().optional(),
    client_assertion_type: z.literal("urn:ietf:params:oauth:client-assertion-type:jwt-bearer").optional(),
    client_assertion: z.string().optional().meta({ description: "JWT signed by the agent's registered key (RFC 7523)" }),
    subject_token: z.string().optional().meta({ description: "OIDC JWT from a bound workload issuer (RFC 8693)" }),
    subject_token_type: z.literal("urn:ietf:params:oauth:token-type:jwt").optional(),
  })
  .meta({ id: "TokenRequest" });

export const tokenResponse = z
  .object({ access_token: z.string(), token_type: z.literal("Bearer"), expires_in: z.number().int() })
  .meta({ id: "TokenResponse" });

export const oauthErrorBody = z
  .object({ error: z.string().meta({ description: "RFC 6749 §5.2 code" }), error_description: z.string() })
  .meta({ id: "OAuthError" });

const jsonRpcMessage = z.record(z.string(), z.unknown());
export const mcpMessage = z
  .union([jsonRpcMessage, z.array(jsonRpcMessage)])
  .meta({ id: "McpMessage", description: "A JSON-RPC 2.0 message (MCP); a batch (an array) only on the 2025-03-26 revision" });

export const oauthMetadata = z.record(z.string(), z.unknown()).meta({ id: "OAuthMetadata", description: "RFC 8414 / RFC 9728 metadata document" });

export const jwksBody = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).meta({ id: "JWKS" });

export const approvalStatusBody = z
  .object({
    id: z.string(),
    status: z.enum(["pending", "approved", "denied", "expired", "cancelled"]),
    decided_by: z.array(z.object({ email: z.string(), name: z.string(), verdict: z.string(), at: z.string(), comment: z.string() })),
    decided_at: z.string().nullable(),
    comment: z.string().nullable(),
    expires_at: z.string(),
    required_approvals: z.number().int(),
    required_groups: z.array(z.string()).meta({ description: "Approver groups that must each sign (AND); one person signs for one group" }),
  })
  .meta({ id: "ApprovalStatus" });

export type Operation = {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  auth: "none" | "agent";
  /**
   * The handler answers a missing or bad token itself (MCP's WWW-Authenticate challenge), so
   * the lean server must not refuse a stranger's body before the handler sees the request.
   */
  challengesItself?: true;
  /** Query parameters the operation reads (path parameters come from `{name}` in `path`). */
  query?: { name: string; description: string; schema: Record<string, unknown> }[];
  request?: { contentType: string; schema: z.ZodType };
  responses: Record<number, { description: string; schema?: z.ZodType }>;
};

/** Every route answers a request it cannot parse (a broken %-escape in the URL, a mangled header) with 400. */
const malformed = { 400: { description: "Malformed request (e.g. a broken %-escape in the URL)", schema: errorBody } };

const standardErrors = {
  400: { description: "Malformed JSON or failed validation", schema: errorBody },
  401: { description: "Missing, invalid or expired token", schema: errorBody },
  403: { description: "Agent suspended/decommissioned or kill switch on", schema: errorBody },
  503: { description: "dependency_unavailable: Postgres or Redis did not answer in time (Retry-After)", schema: errorBody },
};

/** Every operation that reads a JSON body refuses one too large or of another type. */
const bodyErrors = {
  413: { description: "Body larger than MAX_BODY_BYTES (5 MB by default)", schema: errorBody },
  415: { description: "Not application/json", schema: errorBody },
};

/** Every machine-API operation. Each issue adds its endpoints here. */
export const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/api/health",
    summary: "Liveness and dependency health (Postgres, Redis)",
    auth: "none",
    responses: { 200: { description: "All dependencies up", schema: healthBody }, ...malformed, 503: { description: "A dependency is down", schema: healthBody } },
  },
  {
    method: "post",
    path: "/api/v1/oauth/token",
    summary: "Exchange an agent credential for a short-lived access token (client secret, private_key_jwt, or token exchange)",
    auth: "none",
    request: { contentType: "application/x-www-form-urlencoded", schema: tokenRequest },
    responses: {
      200: { description: "An ES256 access token", schema: tokenResponse },
      400: { description: "invalid_request, invalid_grant or unsupported_grant_type", schema: oauthErrorBody },
      401: { description: "invalid_client", schema: oauthErrorBody },
      429: { description: "slow_down: too many failures (Retry-After)", schema: oauthErrorBody },
    },
  },
  {
    method: "get",
    path: "/api/v1/oauth/jwks",
    summary: "Public keys that verify access tokens",
    auth: "none",
    responses: { 200: { description: "JSON Web Key Set", schema: jwksBody }, ...malformed },
  },
  {
    method: "post",
    path: "/api/v1/decisions",
    summary: "Ask before a tool call: allow, deny or pending_approval (a deny is a normal answer)",
    auth: "agent",
    request: { contentType: "application/json", schema: decisionRequest },
    responses: { 200: { description: "The decision", schema: decisionResponse }, ...standardErrors, ...bodyErrors },
  },
  {
    method: "post",
    path: "/api/v1/gateway/{tool}/{operation}",
    summary: "Gatehouse decides (as /api/v1/decisions) and, on allow, calls the tool's upstream with the vaulted credential; result only on allow",
    auth: "agent",
    request: { contentType: "application/json", schema: gatewayRequest },
    responses: {
      200: { description: "The decision, and the upstream's result when it was called", schema: gatewayResponse },
      ...standardErrors,
      ...bodyErrors,
      404: { description: "A tool or operation name no registry could hold (e.g. a NUL byte or a malformed %-escape)", schema: errorBody },
      409: { description: "The operation has no HTTP upstream with an active connection", schema: errorBody },
      502: { description: "upstream_unreachable or upstream_error (the call is recorded)", schema: errorBody },
      504: { description: "upstream_timeout (the call is recorded)", schema: errorBody },
    },
  },
  {
    method: "post",
    path: "/api/v1/mcp",
    summary: "Model Context Protocol (Streamable HTTP, stateless, JSON responses): revisions 2025-03-26 to 2025-11-25 (initialize, ping) and 2026-07-28 (server/discover, subscriptions/listen for tools/list changes; _meta and Mcp-* headers on every request); tools/list (what the policy could allow), tools/call (the pipeline of /api/v1/gateway); 401 carries WWW-Authenticate resource_metadata",
    auth: "agent",
    challengesItself: true,
    request: { contentType: "application/json", schema: mcpMessage },
    responses: {
      200: { description: "A JSON-RPC response (errors too: -32700 parse, -32600 invalid request or batch, -32601 method, -32602 params or unknown tool)", schema: mcpMessage },
      202: { description: "A notification was accepted" },
      400: { description: "A JSON-RPC error: -32700 unparseable JSON, -32600 not a request or a batch, -32022 an unsupported protocol version, -32020 an Mcp-* header not what the body says, -32602 a 2026-07-28 request without its _meta", schema: mcpMessage },
      401: { description: "Missing, invalid or expired token (WWW-Authenticate names the resource metadata)", schema: errorBody },
      403: standardErrors[403],
      404: { description: "2026-07-28: a method this server does not have (-32601)", schema: mcpMessage },
      406: { description: "Accept does not include application/json", schema: mcpMessage },
      413: { description: "Message larger than 1 MB", schema: mcpMessage },
      415: { description: "Not application/json (a JSON-RPC error)", schema: mcpMessage },
      429: { description: "2026-07-28: too many subscriptions/listen streams open for this agent", schema: mcpMessage },
    },
  },
  {
    method: "get",
    path: "/.well-known/oauth-protected-resource",
    summary: "RFC 9728 protected resource metadata for the MCP endpoint: its authorization server and bearer methods",
    auth: "none",
    responses: { 200: { description: "Protected resource metadata", schema: oauthMetadata }, ...malformed },
  },
  {
    method: "get",
    path: "/.well-known/oauth-protected-resource/api/v1/mcp",
    summary: "The same metadata at the path-suffixed address MCP clients try first",
    auth: "none",
    responses: { 200: { description: "Protected resource metadata", schema: oauthMetadata }, ...malformed },
  },
  {
    method: "get",
    path: "/.well-known/oauth-authorization-server",
    summary: "RFC 8414 authorization server metadata: the token endpoint and the grants it accepts",
    auth: "none",
    responses: { 200: { description: "Authorization server metadata", schema: oauthMetadata }, ...malformed },
  },
  {
    method: "get",
    path: "/api/v1/approvals/{approval_id}",
    summary: "An approval request's status; with ?wait=<s, max 30> a long poll that returns as soon as it is decided",
    auth: "agent",
    query: [{ name: "wait", description: "Seconds to hold the request until the approval is decided (long poll)", schema: { type: "number", minimum: 0, maximum: 30 } }],
    responses: { 200: { description: "The approval's status", schema: approvalStatusBody }, 404: { description: "Not this agent's approval", schema: errorBody }, ...standardErrors },
  },
  {
    method: "get",
    path: "/api/v1/whoami",
    summary: "The agent the bearer token belongs to",
    auth: "agent",
    responses: { 200: { description: "The authenticated agent", schema: whoamiBody }, ...standardErrors },
  },
  {
    method: "post",
    path: "/api/v1/events",
    summary: "Push run events (at most 1000 per request); each is validated on its own, attributed to the calling agent, redacted and stored once per (agent, id)",
    auth: "agent",
    request: { contentType: "application/json", schema: eventsRequest },
    responses: {
      202: { description: "Durably queued: accepted, duplicates, and the rejected events by index", schema: eventsResponse },
      ...standardErrors,
      413: { description: "Body larger than 5 MB", schema: errorBody },
      415: { description: "Not application/json", schema: errorBody },
      429: { description: "Ingest backlog too deep; nothing accepted (Retry-After)", schema: errorBody },
      503: { description: "Queue unavailable; nothing accepted (Retry-After)", schema: errorBody },
    },
  },
  {
    method: "post",
    path: "/api/v1/otlp/v1/traces",
    summary: "OTLP/HTTP traces (application/x-protobuf or application/json, gzip allowed), mapped to run events with the GenAI semantic conventions; one trace is one run (run id: gatehouse.run_id, else the trace id in hex)",
    auth: "agent",
    request: { contentType: "application/x-protobuf", schema: z.unknown().meta({ description: "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest" }) },
    responses: {
      200: { description: "ExportTraceServiceResponse in the request's encoding; partial_success lists spans whose events failed validation" },
      ...standardErrors,
      415: { description: "Neither protobuf nor JSON", schema: errorBody },
      429: { description: "Ingest backlog too deep (Retry-After); the exporter retries", schema: errorBody },
      503: { description: "Queue unavailable (Retry-After); the exporter retries", schema: errorBody },
    },
  },
  {
    method: "get",
    path: "/api/v1/runs/{run_id}",
    summary: "A run's summary: status, outcome, agent, times, totals (maintained as events arrive)",
    auth: "agent",
    responses: { 200: { description: "The run", schema: runSummaryBody }, ...standardErrors, 404: { description: "No such run in this tenant", schema: errorBody } },
  },
  {
    method: "get",
    path: "/api/v1/runs/{run_id}/events",
    summary: "The run's timeline in order (agent events and server-attested decisions/approvals), keyset-paginated: ?after=<next>&limit=<=1000",
    auth: "agent",
    query: [
      { name: "after", description: "The `next` cursor of the previous page", schema: { type: "string" } },
      { name: "limit", description: "Events per page", schema: { type: "integer", minimum: 1, maximum: 1000 } },
    ],
    responses: { 200: { description: "A page of events", schema: runEventsBody }, ...standardErrors, 404: { description: "No such run in this tenant", schema: errorBody } },
  },
  {
    method: "get",
    path: "/api/v1/evidence/public-key",
    summary: "The Ed25519 public key that signs evidence bundles and digests (JWK and PEM), with every retired key; auditors verify bundles offline against it (docs/EVIDENCE.md)",
    auth: "none",
    responses: { 200: { description: "The active evidence key and all keys", schema: evidencePublicKeyBody }, ...malformed },
  },
  {
    method: "get",
    path: "/api/v1/openapi.json",
    summary: "This document",
    auth: "none",
    responses: { 200: { description: "OpenAPI 3.1 document" }, ...malformed },
  },
];

/** `/api/v1/runs/{run_id}` → a pattern whose named groups are the path's params (also the Next.js folder names). */
export function pathPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)")}$`);
}

/** The operation a request is for, if it is one of the machine API's. */
export function operationFor(method: string, pathname: string): Operation | undefined {
  return OPERATIONS.find((op) => op.method === method.toLowerCase() && pathPattern(op.path).test(pathname));
}

const JSON_SCHEMA = { target: "draft-2020-12", unrepresentable: "any", uri: (id: string) => `#/components/schemas/${id}` } as const;

/** A named schema (`.meta({ id })`) becomes a $ref into components; others are inlined. */
function schemaRef(schema: z.ZodType) {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `#/components/schemas/${id}` };
  const { $schema: _dialect, ...inline } = z.toJSONSchema(schema, JSON_SCHEMA);
  return inline;
}

/** A stable id from method and path, e.g. post /api/v1/gateway/{tool}/{operation} → postGatewayToolOperation. */
function operationId(op: Operation): string {
  const words = op.path
    .replace(/^\/api\/(v1\/)?/, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return op.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const responses = Object.fromEntries(
      Object.entries(op.responses).map(([status, r]) => [
        status,
        { description: r.description, ...(r.schema && { content: { "application/json": { schema: schemaRef(r.schema) } } }) },
      ]),
    );
    const parameters = [
      ...[...op.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({ name, in: "path", required: true, schema: { type: "string" } })),
      ...(op.query ?? []).map((q) => ({ name: q.name, in: "query", required: false, description: q.description, schema: q.schema })),
    ];
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      operationId: operationId(op),
      summary: op.summary,
      // An operation without auth says so: the document-wide default is the bearer token.
      security: op.auth === "agent" ? [{ bearer: [] }] : [],
      ...(parameters.length && { parameters }),
      ...(op.request && { requestBody: { required: true, content: { [op.request.contentType]: { schema: schemaRef(op.request.schema) } } } }),
      responses,
    };
  }
  const { schemas } = z.toJSONSchema(z.globalRegistry, JSON_SCHEMA) as { schemas: Record<string, Record<string, unknown>> };
  for (const schema of Object.values(schemas)) delete schema.$schema;
  return {
    openapi: "3.1.0",
    info: {
      title: "Gatehouse machine API",
      version: "1",
      description: "The contract agents code against (shared/API.md).",
      license: { name: "Proprietary", identifier: "LicenseRef-Gatehouse-Proprietary" },
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    // Relative to where the document was fetched: the console and the machine API share one origin.
    servers: [{ url: "/", description: "This Gatehouse" }],
    security: [{ bearer: [] }],
    components: { schemas, securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    paths,
  };
}
