/**
 * Gatehouse as an MCP server: one JSON-RPC message in, its answer out (nothing of HTTP; the
 * Streamable HTTP transport is lib/http/mcp-transport.ts). Stateless: every request carries
 * the agent's bearer token, so any instance can serve any request. tools/call runs the
 * gateway pipeline (lib/gateway/call-tool.ts), the same code as POST /api/v1/gateway.
 */
import { z } from "zod";
import { authenticateAgent, type AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { callTool } from "@/lib/gateway/call-tool";
import { MAX_WAIT_SECONDS } from "@/lib/gateway/schemas";
import { AppError } from "@/lib/errors";
import { refineStorable } from "@/lib/json/storable";
import { findMcpTool, toolsListResult, ToolsListResult } from "./list-mcp-tools";
import { isMcpResource } from "./resource";
import { decodeHeaderValue, HANDSHAKE_VERSIONS, META, SERVER_INFO, STATELESS_VERSION, UNSUPPORTED_VERSION } from "./revisions";
import { toolResult, type CallToolResult } from "./tool-result";

export const PROTOCOL_VERSIONS: readonly string[] = [STATELESS_VERSION, ...HANDSHAKE_VERSIONS];
/** Revisions before 2025-06-18 allowed JSON-RPC batches; later ones removed them. */
export const BATCH_REVISIONS: ReadonlySet<string> = new Set(["2025-03-26"]);
/** A JSON-RPC message is tool arguments, not a file upload. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export const RPC = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** 2026-07-28: an MCP header missing or not what the body says. */
  headerMismatch: -32020,
  /** 2026-07-28: a revision this server does not speak; `data` lists the ones it does. */
  unsupportedVersion: UNSUPPORTED_VERSION,
} as const;

const INSTRUCTIONS =
  "Every tool call is checked against this agent's policy before it runs. A denied call returns the reasons; a call that needs approval waits for a human and then runs once.";
/**
 * How long a 2026-07-28 client may reuse a tools/list. The list changes when a policy is
 * published; a call to a tool no longer listed is refused anyway, so a minute only delays
 * when a newly allowed tool appears.
 */
const TOOLS_LIST_TTL_MS = 60_000;

const id = z.union([z.string(), z.number()]);
const message = z.object({
  jsonrpc: z.literal("2.0"),
  id: id.optional(),
  method: z.string().min(1).max(200).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  result: z.unknown().optional(),
  error: z.unknown().optional(),
});
type Message = z.infer<typeof message>;

const initializeParams = z.object({ protocolVersion: z.string() }).loose();
/** What the gateway body checks too: arguments and ids Postgres can store (no NUL, no lone surrogate, not nested past 64). */
const callParams = z.object({
  name: z.string().min(1).max(200),
  arguments: z.record(z.string(), z.unknown()).superRefine(refineStorable).optional(),
  _meta: z
    .object({
      "gatehouse/run_id": z.string().min(1).max(128).superRefine(refineStorable).optional(),
      "gatehouse/approval_id": z.string().min(1).max(64).superRefine(refineStorable).optional(),
    })
    .loose()
    .optional(),
});

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export const rpcError = (msgId: Message["id"] | null, code: number, text: string, data?: unknown) => ({
  jsonrpc: "2.0" as const,
  id: msgId ?? null,
  error: { code, message: text, ...(data !== undefined && { data }) },
});

/** -32022: a revision this server does not speak, named in a header or in `_meta`; `data` lists the ones it does. */
export const unsupportedVersion = (msgId: Message["id"] | null, requested: unknown) =>
  rpcError(msgId, RPC.unsupportedVersion, `Unsupported protocol version; this server speaks ${PROTOCOL_VERSIONS.join(", ")}.`, { supported: PROTOCOL_VERSIONS, requested: typeof requested === "string" ? requested.slice(0, 64) : null });

/** What a message is handled with: who sent it, and what its HTTP request said around it. */
export type McpContext = {
  agent: AgentPrincipal;
  requestId: string;
  /** The message speaks 2026-07-28 (see revisionOf). */
  stateless: boolean;
  /** The X-Gatehouse-Run-Id header: a run id for every call on this connection. */
  runIdHeader: string | null;
  /** Called once if a tools/call waits for a human, so a streaming transport can report progress. */
  onWaiting?: OnWaiting;
  /** Aborts when the client goes away (closing the stream cancels a waiting call); asked for only by a call that waits. */
  cancelled?: () => AbortSignal;
};

/**
 * The agent behind a bearer token, for the MCP resource at `origin`. RFC 8707: a token bound to
 * a resource (an audience URL) is good only at that resource.
 */
export async function authenticateMcpAgent(authorization: string | null, origin: string): Promise<AgentPrincipal> {
  const agent = await authenticateAgent(authorization);
  if (agent.resources && !agent.resources.some((r) => isMcpResource(r, origin))) throw new AppError("invalid_token", "This token was issued for another resource.");
  return agent;
}

/** A run id the agent may set per call (`_meta`) or per connection (header); else one per agent and day. */
function runIdFor(context: McpContext, meta: z.infer<typeof callParams>["_meta"]): string {
  const given = meta?.["gatehouse/run_id"] ?? context.runIdHeader;
  if (given && given.length <= 128) return given;
  return `mcp-${new Date().toISOString().slice(0, 10)}`;
}

/** The MCP headers of a request (2026-07-28 has the client repeat parts of the body in them, for routing). */
export type McpHeaders = { version: string | null; method: string | null; name: string | null };

type Refusal = { status: number; answer: ReturnType<typeof rpcError> };

/**
 * Which revision a single message speaks: 2026-07-28 when its `_meta` names it (its headers
 * must then agree with its body), a handshake revision otherwise. A refusal carries the
 * HTTP status and JSON-RPC error the revision prescribes.
 */
export function revisionOf(raw: unknown, headers: McpHeaders): { stateless: boolean } | Refusal {
  const msg = (typeof raw === "object" && raw !== null ? raw : {}) as { id?: unknown; method?: unknown; params?: { name?: unknown; _meta?: Record<string, unknown> } };
  const msgId = typeof msg.id === "string" || typeof msg.id === "number" ? msg.id : null;
  // Every refusal of this revision's framing is a 400.
  const refuse = (code: number, text: string): Refusal => ({ status: 400, answer: rpcError(msgId, code, text) });
  const meta = typeof msg.params?._meta === "object" && msg.params._meta !== null ? msg.params._meta : undefined;
  const version = meta?.[META.version];
  if (version === undefined) {
    if (headers.version === STATELESS_VERSION)
      return refuse(RPC.invalidParams, `A ${STATELESS_VERSION} request names its revision and capabilities in params._meta["${META.version}"] and ["${META.capabilities}"].`);
    return { stateless: false };
  }
  if (version !== STATELESS_VERSION) return { status: 400, answer: unsupportedVersion(msgId, version) };
  if (typeof meta?.[META.capabilities] !== "object" || meta[META.capabilities] === null)
    return refuse(RPC.invalidParams, `params._meta["${META.capabilities}"] must be an object (send {} for none).`);
  if (headers.version !== version) return refuse(RPC.headerMismatch, `Header mismatch: MCP-Protocol-Version must be ${version}, as params._meta says.`);
  if (headers.method !== msg.method) return refuse(RPC.headerMismatch, "Header mismatch: Mcp-Method must be the message's method.");
  if (msg.method === "tools/call" && decodeHeaderValue(headers.name) !== msg.params?.name) return refuse(RPC.headerMismatch, "Header mismatch: Mcp-Name must be the tool's name (params.name).");
  return { stateless: true };
}

/** The HTTP status a message's answer goes with: 2026-07-28 answers a method it does not have with 404. */
export function httpStatusOf(answer: object, context: Pick<McpContext, "stateless">): number {
  return context.stateless && (answer as { error?: { code?: unknown } }).error?.code === RPC.methodNotFound ? 404 : 200;
}

/** One JSON-RPC message: a response object for a request, null for a notification or a client's response. */
export async function handleMessage(raw: unknown, context: McpContext) {
  const parsed = message.safeParse(raw);
  if (!parsed.success) {
    const maybeId = id.safeParse((raw as { id?: unknown } | null)?.id);
    return rpcError(maybeId.success ? maybeId.data : null, RPC.invalidRequest, "Not a JSON-RPC 2.0 message: send {jsonrpc: \"2.0\", id, method, params}.");
  }
  const msg = parsed.data;
  if (!msg.method) return null; // a response to a server request: we never send any
  if (msg.id === undefined) return null; // notifications (initialized, cancelled) need no answer
  try {
    const params = msg.params ?? {};
    const result = context.stateless ? statelessResult(await dispatchStateless(msg.method, params, context)) : await dispatch(msg.method, params, context);
    return { jsonrpc: "2.0" as const, id: msg.id, result };
  } catch (error) {
    if (error instanceof RpcError) return rpcError(msg.id, error.code, error.message, error.data);
    throw error;
  }
}

/** The handshake revisions (2025-11-25 and before). */
async function dispatch(method: string, params: Record<string, unknown>, context: McpContext) {
  switch (method) {
    case "initialize": {
      const p = initializeParams.safeParse(params);
      if (!p.success) throw new RpcError(RPC.invalidParams, "initialize needs params.protocolVersion.");
      const asked = p.data.protocolVersion;
      return {
        protocolVersion: (HANDSHAKE_VERSIONS as readonly string[]).includes(asked) ? asked : HANDSHAKE_VERSIONS[0],
        capabilities: { tools: { listChanged: false } },
        serverInfo: SERVER_INFO,
        instructions: INSTRUCTIONS,
      };
    }
    case "ping":
      return {};
    case "tools/list":
      return toolsListResult(context.agent);
    case "tools/call":
      return callMcpTool(params, context);
    default:
      throw new RpcError(RPC.methodNotFound, `Method ${method} is not supported; this server offers initialize, ping, tools/list and tools/call.`);
  }
}

/** 2026-07-28: no handshake and no ping; server/discover says what the server is. */
async function dispatchStateless(method: string, params: Record<string, unknown>, context: McpContext) {
  switch (method) {
    case "server/discover":
      // listChanged: announced on a subscriptions/listen stream (lib/mcp/listen.ts).
      return { supportedVersions: [STATELESS_VERSION], capabilities: { tools: { listChanged: true } }, instructions: INSTRUCTIONS, ttlMs: 3_600_000, cacheScope: "public" };
    case "tools/list":
      // The list is this agent's: a shared cache must not hand it to another.
      return (await toolsListResult(context.agent)).with({ ttlMs: TOOLS_LIST_TTL_MS, cacheScope: "private" });
    case "tools/call":
      return callMcpTool(params, context);
    default:
      throw new RpcError(RPC.methodNotFound, `Method ${method} is not supported in ${STATELESS_VERSION}; this server offers server/discover, tools/list, tools/call and subscriptions/listen.`);
  }
}

/** Every 2026-07-28 result says it is complete (not waiting for input) and names the server. */
function statelessResult(result: object): object {
  const fields = { resultType: "complete", _meta: { ...(result as { _meta?: object })._meta, [META.serverInfo]: SERVER_INFO } };
  return result instanceof ToolsListResult ? result.with({ ...fields, ...result.fields }) : { ...fields, ...result, _meta: fields._meta };
}

async function callMcpTool(params: Record<string, unknown>, context: McpContext): Promise<CallToolResult> {
  const { agent, requestId, onWaiting, cancelled } = context;
  const p = callParams.safeParse(params);
  if (!p.success) {
    const issue = p.error.issues[0]!;
    const where = ["params", ...issue.path].join(".");
    throw new RpcError(RPC.invalidParams, `tools/call needs params.name and an object params.arguments; ${where}: ${issue.message}`, z.treeifyError(p.error));
  }
  const entry = await findMcpTool(agent, p.data.name);
  // Not in this agent's list: nothing is decided or executed.
  if (!entry) throw new RpcError(RPC.invalidParams, `Unknown tool ${p.data.name}: it is not in this agent's tools/list.`);
  const approvalId = p.data._meta?.["gatehouse/approval_id"];
  try {
    const answer = await callTool({
      agent,
      tool: entry.toolName,
      operation: entry.operation,
      requestId,
      onWaiting,
      cancelled,
      request: { run_id: runIdFor(context, p.data._meta), args: p.data.arguments ?? {}, wait: MAX_WAIT_SECONDS, ...(approvalId && { approval_id: approvalId }) },
    });
    return toolResult(answer);
  } catch (error) {
    // Upstream failures and setup errors are the model's to read, not protocol errors.
    if (error instanceof AppError && error.code !== "internal_error") return { content: [{ type: "text", text: `Gatehouse could not complete the call (${error.code}): ${error.message}` }], isError: true };
    throw error;
  }
}

export type OnWaiting = (approval: { id: string; expires_at: string }) => void;

/** The progress token of a tools/call request that asked for progress (params._meta.progressToken). */
export function progressTokenOf(raw: unknown): string | number | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const msg = raw as { method?: unknown; params?: { _meta?: { progressToken?: unknown } } };
  const token = msg.method === "tools/call" ? msg.params?._meta?.progressToken : undefined;
  return (typeof token === "string" && token.length <= 200) || (typeof token === "number" && Number.isFinite(token)) ? token : undefined;
}

/** The `notifications/progress` a call waiting `since` for `approval` sends its client. */
export function waitingProgress(progressToken: string | number, since: number, approval: { id: string; expires_at: string }) {
  return {
    jsonrpc: "2.0" as const,
    method: "notifications/progress",
    params: {
      progressToken,
      progress: Math.round((Date.now() - since) / 1000),
      total: MAX_WAIT_SECONDS,
      message: `Waiting for a human to approve this call (approval ${approval.id}, open until ${approval.expires_at}).`,
    },
  };
}
