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
import { findMcpTool, toolsListResult } from "./list-mcp-tools";
import { isMcpResource } from "./resource";
import { toolResult, type CallToolResult } from "./tool-result";

/** Newest first: what @modelcontextprotocol/sdk 1.32 clients negotiate. */
export const PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
/** Revisions before 2025-06-18 allowed JSON-RPC batches; later ones removed them. */
export const BATCH_REVISIONS: ReadonlySet<string> = new Set(["2025-03-26"]);
/** A JSON-RPC message is tool arguments, not a file upload. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export const RPC = { parse: -32700, invalidRequest: -32600, methodNotFound: -32601, invalidParams: -32602, internal: -32603 } as const;

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

/** What a message is handled with: who sent it, and what its HTTP request said around it. */
export type McpContext = {
  agent: AgentPrincipal;
  requestId: string;
  /** The X-Gatehouse-Run-Id header: a run id for every call on this connection. */
  runIdHeader: string | null;
  /** Called once if a tools/call waits for a human, so a streaming transport can report progress. */
  onWaiting?: OnWaiting;
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
    return { jsonrpc: "2.0" as const, id: msg.id, result: await dispatch(msg.method, msg.params ?? {}, context) };
  } catch (error) {
    if (error instanceof RpcError) return rpcError(msg.id, error.code, error.message, error.data);
    throw error;
  }
}

async function dispatch(method: string, params: Record<string, unknown>, context: McpContext) {
  switch (method) {
    case "initialize": {
      const p = initializeParams.safeParse(params);
      if (!p.success) throw new RpcError(RPC.invalidParams, "initialize needs params.protocolVersion.");
      const asked = p.data.protocolVersion;
      return {
        protocolVersion: (PROTOCOL_VERSIONS as readonly string[]).includes(asked) ? asked : PROTOCOL_VERSIONS[0],
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: "gatehouse", title: "Gatehouse", version: "0.1.0" },
        instructions:
          "Every tool call is checked against this agent's policy before it runs. A denied call returns the reasons; a call that needs approval waits for a human and then runs once.",
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

async function callMcpTool(params: Record<string, unknown>, context: McpContext): Promise<CallToolResult> {
  const { agent, requestId, onWaiting } = context;
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
