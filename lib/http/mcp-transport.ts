/**
 * POST /api/v1/mcp: the MCP Streamable HTTP transport, stateless. Authenticates the bearer
 * token (401 with the RFC 9728 resource-metadata challenge), checks the headers the transport
 * defines, reads the JSON-RPC message (or a batch on the revisions that had them) and answers
 * with JSON; a tools/call that asked for progress is answered as an SSE stream so the client
 * hears why it is waiting. The messages themselves are lib/mcp/handle-message.ts.
 */
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { protectedResourceMetadataUrl, publicOrigin } from "@/lib/mcp/discovery";
import {
  BATCH_REVISIONS,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSIONS,
  RPC,
  authenticateMcpAgent,
  handleMessage,
  httpStatusOf,
  progressTokenOf,
  revisionOf,
  rpcError,
  unsupportedVersion,
  waitingProgress,
  type McpContext,
} from "@/lib/mcp/handle-message";
import { readJsonBody } from "./body";
import { statusOf } from "./errors";
import { errorResponse, isLean, jsonBytesResponse, jsonResponse, requestIdFrom } from "./respond";
import { ToolsListResult } from "@/lib/mcp/list-mcp-tools";
import { honouredFilter, listenStream, MAX_LISTENERS_PER_AGENT, mayListen } from "@/lib/mcp/listen";

/** How often a call held for an approval tells its client it is still waiting. */
const PROGRESS_EVERY_MS = 5_000;

/** `to`: the request answered (its answer may leave the body out when the lean server made it). */
function rpcResponse(to: Request, body: unknown, requestId: string, status = 200, headers: Record<string, string> = {}) {
  const init = { status, headers: { "cache-control": "no-store", "x-request-id": requestId, ...headers } };
  // A tools/list answer is its listing's JSON, made once, with the message around it (key order as JSON.stringify would write it).
  const { jsonrpc, id, result } = body as { jsonrpc?: unknown; id?: unknown; result?: unknown };
  if (result instanceof ToolsListResult && jsonrpc === "2.0")
    return jsonBytesResponse(Buffer.concat([Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`), result.bytes(), Buffer.from("}")]), init, isLean(to));
  return jsonResponse(body, init, isLean(to));
}

const accepted = (requestId: string) => new Response(null, { status: 202, headers: { "x-request-id": requestId } });

function unauthorized(request: Request, requestId: string, error: AppError) {
  const challenge = `Bearer resource_metadata="${protectedResourceMetadataUrl(request)}"`;
  return rpcResponse(request, { error: { code: error.code, message: error.message } }, requestId, 401, { "www-authenticate": challenge });
}

export async function handleMcp(request: Request): Promise<Response> {
  const requestId = requestIdFrom(request);
  let agent: AgentPrincipal;
  try {
    agent = await authenticateMcpAgent(request.headers.get("authorization"), publicOrigin(request));
  } catch (error) {
    if (error instanceof AppError && statusOf(error) === 401) return unauthorized(request, requestId, error);
    return errorResponse(error, requestId, isLean(request));
  }

  // The client must accept JSON (the spec also has it list text/event-stream, which we send only for progress).
  const accept = request.headers.get("accept") ?? "";
  if (accept && !/application\/json|application\/\*|\*\/\*/i.test(accept))
    return rpcResponse(request, rpcError(null, RPC.invalidRequest, "Accept must include application/json (and text/event-stream)."), requestId, 406);
  const version = request.headers.get("mcp-protocol-version");
  if (version && !PROTOCOL_VERSIONS.includes(version))
    return rpcResponse(request, unsupportedVersion(null, version), requestId, 400);

  let raw: unknown;
  try {
    raw = await readJsonBody(request, Math.min(MAX_MESSAGE_BYTES, env().MAX_BODY_BYTES));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const code = error.code === "malformed_json" ? RPC.parse : RPC.invalidRequest;
    return rpcResponse(request, rpcError(null, code, error.message), requestId, statusOf(error));
  }

  const context: McpContext = { agent, requestId, stateless: false, runIdHeader: request.headers.get("x-gatehouse-run-id"), cancelled: () => request.signal };
  if (Array.isArray(raw)) {
    if (!version || !BATCH_REVISIONS.has(version))
      return rpcResponse(request, rpcError(null, RPC.invalidRequest, "JSON-RPC batches are not supported in this protocol revision; send one message per request."), requestId, 400);
    if (raw.length === 0) return rpcResponse(request, rpcError(null, RPC.invalidRequest, "An empty batch is not a request."), requestId, 400);
    const answers = [];
    for (const item of raw) {
      const answer = await answerOf(item, context);
      if (answer) answers.push(answer);
    }
    return answers.length ? rpcResponse(request, answers, requestId) : accepted(requestId);
  }
  const revision = revisionOf(raw, { version, method: request.headers.get("mcp-method"), name: request.headers.get("mcp-name") });
  if ("answer" in revision) return rpcResponse(request, revision.answer, requestId, revision.status);
  context.stateless = revision.stateless;
  if (context.stateless && (raw as { method?: unknown }).method === "subscriptions/listen") return listen(request, raw, context, accept);
  // A call whose client asked for progress (and reads event streams) is answered as a stream:
  // progress while it waits for a human, then its result.
  const progressToken = progressTokenOf(raw);
  if (progressToken !== undefined && /text\/event-stream/i.test(accept)) return streamCall(raw, progressToken, context);
  const answer = await handleMessage(raw, context);
  return answer ? rpcResponse(request, answer, requestId, httpStatusOf(answer, context)) : accepted(requestId);
}

/**
 * 2026-07-28's subscriptions/listen: its answer is a stream of change notifications
 * (lib/mcp/listen.ts), open until the client closes it.
 */
function listen(request: Request, raw: unknown, context: McpContext, accept: string): Response {
  const { id, params } = raw as { id?: unknown; params?: { notifications?: unknown } };
  if (typeof id !== "string" && typeof id !== "number") return rpcResponse(request, rpcError(null, RPC.invalidRequest, "subscriptions/listen is a request: give it an id."), context.requestId, 400);
  if (typeof params?.notifications !== "object" || params.notifications === null)
    return rpcResponse(request, rpcError(id, RPC.invalidParams, "subscriptions/listen needs params.notifications, e.g. {\"toolsListChanged\": true}."), context.requestId);
  if (accept && !/text\/event-stream|\*\/\*/i.test(accept)) return rpcResponse(request, rpcError(id, RPC.invalidRequest, "subscriptions/listen answers as an event stream: Accept must include text/event-stream."), context.requestId, 406);
  if (!mayListen(context.agent.agentId))
    return rpcResponse(request, rpcError(id, RPC.invalidRequest, `Too many subscriptions are open here (at most ${MAX_LISTENERS_PER_AGENT} per agent); close one first, or retry later.`), context.requestId, 429);
  const stream = listenStream(id, request.headers.get("authorization"), context.agent, honouredFilter(params.notifications));
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no", "x-request-id": context.requestId } });
}

/**
 * A message's answer or, when handling it threw, its own internal error: in a batch the
 * answers of the messages before it (which may have executed calls) are still sent, and a
 * stream that has begun still ends with a JSON-RPC message.
 */
async function answerOf(raw: unknown, context: McpContext) {
  try {
    return await handleMessage(raw, context);
  } catch (error) {
    logger.error("an MCP message failed", { error, requestId: context.requestId });
    const msgId = (raw as { id?: unknown } | null)?.id;
    return rpcError(typeof msgId === "string" || typeof msgId === "number" ? msgId : null, RPC.internal, `Internal error; quote request id ${context.requestId}.`);
  }
}

/**
 * One tools/call answered as an SSE stream (Streamable HTTP allows it for any request):
 * while the call waits for a human, `notifications/progress` every few seconds (so the
 * client and the person watching it know why it is slow); then the call's response.
 */
function streamCall(raw: unknown, progressToken: string | number, context: McpContext): Response {
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (msg: unknown) => {
        try {
          controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(msg)}\n\n`));
        } catch {
          // The client went away. A call still waiting for a human was cancelled (context.cancelled);
          // one already sent completes and is recorded on its own.
        }
      };
      const onWaiting: McpContext["onWaiting"] = (approval) => {
        const since = Date.now();
        const tick = () => send(waitingProgress(progressToken, since, approval));
        tick();
        timer = setInterval(tick, PROGRESS_EVERY_MS);
      };
      try {
        const answer = await answerOf(raw, { ...context, onWaiting });
        if (answer) send(answer);
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
  // X-Accel-Buffering: a proxy must not hold progress back (2026-07-28 asks for it).
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no", "x-request-id": context.requestId } });
}
