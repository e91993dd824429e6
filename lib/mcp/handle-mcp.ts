/**
 * POST /api/v1/mcp: Gatehouse as an MCP server on the Streamable HTTP transport, stateless:
 * every request carries the agent's bearer token, answers are single JSON responses (no
 * session, no SSE stream), so any instance can serve any request. tools/call runs the
 * gateway pipeline (lib/gateway/call-tool.ts), the same code as POST /api/v1/gateway.
 */
import { decodeJwt } from "jose";
import { z } from "zod";
import { authenticateAgent, type AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { env } from "@/lib/env";
import { callTool } from "@/lib/gateway/call-tool";
import { MAX_WAIT_SECONDS } from "@/lib/gateway/schemas";
import { readJsonBody } from "@/lib/http/body";
import { AppError } from "@/lib/errors";
import { statusOf } from "@/lib/http/errors";
import { errorResponse, requestIdFrom } from "@/lib/http/respond";
import { findMcpTool, listMcpTools } from "./list-mcp-tools";
import { protectedResourceMetadataUrl, publicOrigin } from "./discovery";
import { logger } from "@/lib/logger";
import { isMcpResource } from "./resource";
import { toolResult, type CallToolResult } from "./tool-result";

/** Newest first: what @modelcontextprotocol/sdk 1.32 clients negotiate. */
export const PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
/** Revisions before 2025-06-18 allowed JSON-RPC batches; later ones removed them. */
const BATCH_REVISIONS = new Set(["2025-03-26"]);
/** A JSON-RPC message is tool arguments, not a file upload. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

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
const callParams = z.object({
  name: z.string().min(1).max(200),
  arguments: z.record(z.string(), z.unknown()).optional(),
  _meta: z
    .object({
      "gatehouse/run_id": z.string().min(1).max(128).optional(),
      "gatehouse/approval_id": z.string().min(1).max(64).optional(),
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

const rpcError = (msgId: Message["id"] | null, code: number, text: string, data?: unknown) => ({
  jsonrpc: "2.0" as const,
  id: msgId ?? null,
  error: { code, message: text, ...(data !== undefined && { data }) },
});

function rpcResponse(body: unknown, requestId: string, status = 200, headers: Record<string, string> = {}) {
  return Response.json(body, { status, headers: { "cache-control": "no-store", "x-request-id": requestId, ...headers } });
}

function unauthorized(request: Request, requestId: string, error: AppError) {
  const challenge = `Bearer resource_metadata="${protectedResourceMetadataUrl(request)}"`;
  return rpcResponse({ error: { code: error.code, message: error.message } }, requestId, 401, { "www-authenticate": challenge });
}

/** A run id the agent may set per call (`_meta`) or per connection (header); else one per agent and day. */
function runIdFor(request: Request, meta: z.infer<typeof callParams>["_meta"]): string {
  const given = meta?.["gatehouse/run_id"] ?? request.headers.get("x-gatehouse-run-id");
  if (given && given.length <= 128) return given;
  return `mcp-${new Date().toISOString().slice(0, 10)}`;
}

export async function handleMcp(request: Request): Promise<Response> {
  const requestId = requestIdFrom(request);
  let agent: AgentPrincipal;
  try {
    agent = await authenticateAgent(request.headers.get("authorization"));
    // RFC 8707: a token bound to a resource (an audience URL) is good only at that resource.
    const audience = decodeJwt(request.headers.get("authorization")!.replace(/^Bearer\s+/i, "")).aud;
    const resources = (Array.isArray(audience) ? audience : [audience]).filter((a): a is string => typeof a === "string" && /^https?:/.test(a));
    if (resources.length && !resources.some((r) => isMcpResource(r, publicOrigin(request)))) throw new AppError("invalid_token", "This token was issued for another resource.");
  } catch (error) {
    if (error instanceof AppError && statusOf(error) === 401) return unauthorized(request, requestId, error);
    return errorResponse(error, requestId);
  }

  // The client must accept JSON (the spec also has it list text/event-stream, which we never send).
  const accept = request.headers.get("accept") ?? "";
  if (accept && !/application\/json|application\/\*|\*\/\*/i.test(accept))
    return rpcResponse(rpcError(null, RPC.invalidRequest, "Accept must include application/json (and text/event-stream)."), requestId, 406);
  const version = request.headers.get("mcp-protocol-version");
  if (version && !(PROTOCOL_VERSIONS as readonly string[]).includes(version))
    return rpcResponse(rpcError(null, RPC.invalidRequest, `Unsupported MCP-Protocol-Version ${version}; this server speaks ${PROTOCOL_VERSIONS.join(", ")}.`), requestId, 400);

  let raw: unknown;
  try {
    raw = await readJsonBody(request, Math.min(MAX_MESSAGE_BYTES, env().MAX_BODY_BYTES));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const code = error.code === "malformed_json" ? RPC.parse : RPC.invalidRequest;
    return rpcResponse(rpcError(null, code, error.message), requestId, statusOf(error));
  }

  if (Array.isArray(raw)) {
    if (!version || !BATCH_REVISIONS.has(version))
      return rpcResponse(rpcError(null, RPC.invalidRequest, "JSON-RPC batches are not supported in this protocol revision; send one message per request."), requestId, 400);
    if (raw.length === 0) return rpcResponse(rpcError(null, RPC.invalidRequest, "An empty batch is not a request."), requestId, 400);
    const answers = [];
    for (const item of raw) {
      const answer = await handleOne(item, agent, request, requestId);
      if (answer) answers.push(answer);
    }
    return answers.length ? rpcResponse(answers, requestId) : new Response(null, { status: 202, headers: { "x-request-id": requestId } });
  }
  // A call whose client asked for progress (and reads event streams) is answered as a stream:
  // progress while it waits for a human, then its result.
  const progressToken = progressTokenOf(raw);
  if (progressToken !== undefined && /text\/event-stream/i.test(accept)) return streamCall(raw, progressToken, agent, request, requestId);
  const answer = await handleOne(raw, agent, request, requestId);
  return answer ? rpcResponse(answer, requestId) : new Response(null, { status: 202, headers: { "x-request-id": requestId } });
}

/** One JSON-RPC message: a response object for a request, null for a notification or a client's response. */
async function handleOne(raw: unknown, agent: AgentPrincipal, request: Request, requestId: string, onWaiting?: OnWaiting) {
  const parsed = message.safeParse(raw);
  if (!parsed.success) {
    const maybeId = id.safeParse((raw as { id?: unknown } | null)?.id);
    return rpcError(maybeId.success ? maybeId.data : null, RPC.invalidRequest, "Not a JSON-RPC 2.0 message: send {jsonrpc: \"2.0\", id, method, params}.");
  }
  const msg = parsed.data;
  if (!msg.method) return null; // a response to a server request: we never send any
  if (msg.id === undefined) return null; // notifications (initialized, cancelled) need no answer
  try {
    return { jsonrpc: "2.0" as const, id: msg.id, result: await dispatch(msg.method, msg.params ?? {}, agent, request, requestId, onWaiting) };
  } catch (error) {
    if (error instanceof RpcError) return rpcError(msg.id, error.code, error.message, error.data);
    throw error;
  }
}

async function dispatch(method: string, params: Record<string, unknown>, agent: AgentPrincipal, request: Request, requestId: string, onWaiting?: OnWaiting) {
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
      return { tools: (await listMcpTools(agent)).map((e) => e.tool) };
    case "tools/call":
      return callMcpTool(params, agent, request, requestId, onWaiting);
    default:
      throw new RpcError(RPC.methodNotFound, `Method ${method} is not supported; this server offers initialize, ping, tools/list and tools/call.`);
  }
}

async function callMcpTool(params: Record<string, unknown>, agent: AgentPrincipal, request: Request, requestId: string, onWaiting?: OnWaiting): Promise<CallToolResult> {
  const p = callParams.safeParse(params);
  if (!p.success) throw new RpcError(RPC.invalidParams, "tools/call needs params.name and an object params.arguments.", z.treeifyError(p.error));
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
      request: { run_id: runIdFor(request, p.data._meta), args: p.data.arguments ?? {}, wait: MAX_WAIT_SECONDS, ...(approvalId && { approval_id: approvalId }) },
    });
    return toolResult(answer);
  } catch (error) {
    // Upstream failures and setup errors are the model's to read, not protocol errors.
    if (error instanceof AppError && statusOf(error) !== 500) return { content: [{ type: "text", text: `Gatehouse could not complete the call (${error.code}): ${error.message}` }], isError: true };
    throw error;
  }
}

type OnWaiting = (approval: { id: string; expires_at: string }) => void;

/** How often a call held for an approval tells its client it is still waiting. */
const PROGRESS_EVERY_MS = 5_000;

/** The progress token of a tools/call request that asked for progress (params._meta.progressToken). */
function progressTokenOf(raw: unknown): string | number | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const msg = raw as { method?: unknown; params?: { _meta?: { progressToken?: unknown } } };
  const token = msg.method === "tools/call" ? msg.params?._meta?.progressToken : undefined;
  return (typeof token === "string" && token.length <= 200) || (typeof token === "number" && Number.isFinite(token)) ? token : undefined;
}

/**
 * One tools/call answered as an SSE stream (Streamable HTTP allows it for any request):
 * while the call waits for a human, `notifications/progress` every few seconds (so the
 * client and the person watching it know why it is slow); then the call's response.
 */
function streamCall(raw: unknown, progressToken: string | number, agent: AgentPrincipal, request: Request, requestId: string): Response {
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (msg: unknown) => {
        try {
          controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(msg)}\n\n`));
        } catch {
          // The client went away; the call still completes (and is recorded) on its own.
        }
      };
      const onWaiting: OnWaiting = (approval) => {
        const since = Date.now();
        const tick = () =>
          send({
            jsonrpc: "2.0",
            method: "notifications/progress",
            params: {
              progressToken,
              progress: Math.round((Date.now() - since) / 1000),
              total: MAX_WAIT_SECONDS,
              message: `Waiting for a human to approve this call (approval ${approval.id}, open until ${approval.expires_at}).`,
            },
          });
        tick();
        timer = setInterval(tick, PROGRESS_EVERY_MS);
      };
      try {
        const answer = await handleOne(raw, agent, request, requestId, onWaiting);
        if (answer) send(answer);
      } catch (error) {
        logger.error("an MCP call failed", { error, requestId });
        send(rpcError((raw as { id?: string | number }).id ?? null, RPC.internal, `Internal error; quote request id ${requestId}.`));
      } finally {
        clearInterval(timer);
        try {
          controller.close();
        } catch {
          // already cancelled by the client
        }
      }
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-store", "x-request-id": requestId } });
}
