/**
 * Calling a tool whose upstream is a remote MCP server (Streamable HTTP) as an MCP client:
 * initialize once per session, then `tools/call` as one POST whose answer is read as JSON
 * or as an SSE stream, as the transport allows. Every request goes through the outbound
 * guard (the connection's hosts only, the tool's timeout and size cap) with the vaulted
 * credential added per request (so a renewed OAuth token is picked up). Failures are the
 * SDK's own error types (StreamableHTTPError for HTTP, McpError for JSON-RPC errors), so
 * callers read them as they would from the SDK's client.
 *
 * Not the SDK's Client: it spent about 0.2 ms of CPU more per call (635 against 443 µs,
 * docs/PERFORMANCE.md: a Web Response around each answer, stream plumbing, a schema parse of
 * every message) in the gateway's busiest path. The result is still checked with the SDK's
 * CallToolResult schema. An SSE answer is read until the event that holds the response, as
 * a server may keep the stream open after it.
 *
 * Sessions are kept per tool, connection and secret: an MCP session costs an initialize
 * round trip and a notification, which would otherwise precede every call. A session the
 * upstream has forgotten (HTTP 404, which means the call was not run) is opened again once.
 * The tool's timeout bounds the whole call, all of those requests together: an upstream
 * that answers each just in time cannot stretch one call to several timeouts.
 *
 * An upstream that speaks only the stateless revision (2026-07-28) refuses initialize with
 * -32022, naming it; from then on its calls carry the revision in `_meta` and headers, and
 * there is no session to open.
 */
import type { IncomingHttpHeaders } from "node:http";
import { StringDecoder } from "node:string_decoder";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, LATEST_PROTOCOL_VERSION, McpError, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import { BoundedMap } from "@/lib/bounded-map";
import { sha256 } from "@/lib/sha256";
import { encodeHeaderValue, META, STATELESS_VERSION, UNSUPPORTED_VERSION } from "@/lib/mcp/revisions";
import { OutboundError, outboundFetch, type OutboundResponse } from "@/lib/outbound/fetch";

export type McpTarget = {
  /** Identifies the session: tool, connection and which of its secrets. */
  key: string;
  url: string;
  timeoutMs: number;
  maxResponseBytes: number;
  allowedHosts: string[];
  /** The credential headers, asked for on every request. */
  credential: () => Promise<Record<string, string>>;
};

/** Where a failure happened: while opening the session nothing was called; during the call it may have run. */
export class McpUpstreamError extends Error {
  constructor(
    readonly stage: "connect" | "call",
    readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "McpUpstreamError";
  }
}

export type McpCallResult = { result: Record<string, unknown>; bytes: Buffer; latencyMs: number };

/** An upstream's session: its id (null when it names none), or for a 2026-07-28 upstream, no session at all. */
type Session = { id: string | null; protocolVersion: string; stateless?: true };
const sessions = new BoundedMap<string, Promise<Session>>(200);
let nextRequestId = 1;

const CLIENT_INFO = { name: "gatehouse-gateway", version: "0.1.0" };
/** What every 2026-07-28 request says of itself in `_meta`: no capabilities (the gateway answers no server requests). */
const STATELESS_META = { [META.version]: STATELESS_VERSION, [META.capabilities]: {}, [META.clientInfo]: CLIENT_INFO };

export function sessionKey(parts: { toolId: string; connectionId: string; sealed: string; url: string }): string {
  return sha256(`${parts.toolId}\n${parts.connectionId}\n${parts.sealed}\n${parts.url}`);
}

/** `tools/call` on the upstream; throws McpUpstreamError (its cause: OutboundError, StreamableHTTPError, McpError or a parse error). */
export async function callMcpUpstream(target: McpTarget, name: string, args: Record<string, unknown>): Promise<McpCallResult> {
  const started = performance.now();
  const deadline = started + target.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    let opened: Promise<Session>;
    let current: Session;
    try {
      opened = session(target, deadline);
      current = await opened;
    } catch (error) {
      throw new McpUpstreamError("connect", error);
    }
    try {
      const { result: answer } = await request(target, deadline, { method: "tools/call", params: { name, arguments: args } }, current);
      // 2026-07-28 lets a server ask the client for more (elicitation, sampling) instead of answering; the gateway has nothing to give.
      if ((answer as { resultType?: unknown } | null)?.resultType === "input_required") throw new Error("The tool asked for more input (an input_required result), which the gateway cannot give; the call did not complete.");
      const parsed = CallToolResultSchema.safeParse(answer);
      if (!parsed.success) throw new Error(`The tools/call result is not a tool result: ${parsed.error.message.slice(0, 300)}`);
      const result = parsed.data as Record<string, unknown>;
      return { result, bytes: Buffer.from(JSON.stringify(result)), latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      if (sessions.get(target.key) === opened) sessions.delete(target.key);
      if (attempt === 0 && !current.stateless && error instanceof StreamableHTTPError && error.code === 404) continue;
      throw new McpUpstreamError("call", error);
    }
  }
}

/** The open session, or one being opened (by the first call to need it, within that call's deadline). */
function session(target: McpTarget, deadline: number): Promise<Session> {
  const open = sessions.get(target.key);
  if (open) return open;
  const opening = initialize(target, deadline);
  sessions.set(target.key, opening);
  opening.catch(() => {
    if (sessions.get(target.key) === opening) sessions.delete(target.key);
  });
  return opening;
}

/** The handshake: initialize (the server may name a session), then notifications/initialized. */
async function initialize(target: McpTarget, deadline: number): Promise<Session> {
  let answered: Awaited<ReturnType<typeof request>>;
  try {
    answered = await request(target, deadline, { method: "initialize", params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO } });
  } catch (error) {
    if (speaksOnlyStateless(error)) return { id: null, protocolVersion: STATELESS_VERSION, stateless: true };
    throw error;
  }
  const { result, response } = answered;
  const version = (result as { protocolVersion?: unknown } | null)?.protocolVersion;
  if (typeof version !== "string" || !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) throw new Error(`The server's protocol version is not supported: ${String(version)}`);
  const session = { id: response.headers["mcp-session-id"] ?? null, protocolVersion: version };
  const sent = await post(target, deadline, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
  if (sent.status >= 300) throw httpError(sent);
  return session;
}

/** Sessions are forgotten, not ended: the upstream expires them (tests, shutdown). */
export async function closeMcpSessions() {
  sessions.clear();
}

/** Does this error say the upstream speaks only 2026-07-28 (its answer to initialize: -32022 naming that revision)? */
function speaksOnlyStateless(error: unknown): boolean {
  const supported = error instanceof McpError && error.code === UNSUPPORTED_VERSION ? (error.data as { supported?: unknown } | undefined)?.supported : undefined;
  return Array.isArray(supported) && supported.includes(STATELESS_VERSION);
}

/** One JSON-RPC request: its result (and the HTTP answer it came in), or the upstream's error as McpError. */
async function request(target: McpTarget, deadline: number, message: { method: string; params: Record<string, unknown> }, session?: Session): Promise<{ result: unknown; response: OutboundResponse }> {
  const id = nextRequestId++;
  const sse = sseReader(id);
  const params = session?.stateless ? { ...message.params, _meta: STATELESS_META } : message.params;
  const response = await post(target, deadline, { jsonrpc: "2.0", id, method: message.method, params }, session, sse.complete);
  // 2026-07-28 sends some JSON-RPC errors with HTTP 400 (a refused initialize: -32022).
  if (response.status === 400 && response.headers["content-type"]?.includes("application/json")) {
    const refusal = messagesOfOrNone(response).find((m) => isResponseTo(id, m) && m.error);
    if (refusal) throw mcpErrorOf(refusal.error);
  }
  if (response.status < 200 || response.status >= 300) throw httpError(response);
  // An SSE answer's response was found as it arrived; a JSON answer (or a stream ended without a blank line) is read here.
  const answer = sse.response ?? messagesOf(response).find((m) => isResponseTo(id, m));
  if (!answer) throw new Error(`The server's answer holds no response to request ${id}.`);
  if (answer.error) throw mcpErrorOf(answer.error);
  return { result: answer.result, response };
}

function mcpErrorOf(value: unknown): McpError {
  const error = (typeof value === "object" && value !== null ? value : {}) as { code?: unknown; message?: unknown; data?: unknown };
  return new McpError(typeof error.code === "number" ? error.code : -32603, typeof error.message === "string" ? error.message : "error", error.data);
}

async function post(target: McpTarget, deadline: number, message: Record<string, unknown>, session?: Session, complete?: (chunk: Buffer, headers: IncomingHttpHeaders) => boolean): Promise<OutboundResponse> {
  const credential = await target.credential();
  const timeoutMs = Math.ceil(deadline - performance.now());
  if (timeoutMs <= 0) throw new OutboundError("timeout", `no complete answer within ${target.timeoutMs} ms`);
  return outboundFetch({
    url: target.url,
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(session && { "mcp-protocol-version": session.protocolVersion }),
      ...(session?.id && { "mcp-session-id": session.id }),
      ...(session?.stateless && statelessHeaders(message)),
      ...credential,
    },
    body: JSON.stringify(message),
    timeoutMs,
    maxResponseBytes: target.maxResponseBytes,
    allowedHosts: target.allowedHosts,
    onTooLarge: "error",
    redirects: "return",
    complete,
  });
}

/** 2026-07-28 repeats the method and a tool call's name in headers, for routing without reading the body. */
function statelessHeaders(message: Record<string, unknown>): Record<string, string> {
  const name = (message.params as { name?: unknown } | undefined)?.name;
  return { "mcp-method": String(message.method), ...(message.method === "tools/call" && typeof name === "string" && { "mcp-name": encodeHeaderValue(name) }) };
}

function httpError(response: OutboundResponse) {
  return new StreamableHTTPError(response.status, `Error POSTing to endpoint (HTTP ${response.status}): ${response.body.toString("utf8", 0, 500)}`);
}

type Message = { id?: unknown; result?: unknown; error?: unknown };

const isResponseTo = (id: number, m: Message) => m.id === id && ("result" in m || "error" in m);

/** messagesOf, or none when the answer is not JSON-RPC at all. */
function messagesOfOrNone(response: OutboundResponse): Message[] {
  try {
    return messagesOf(response);
  } catch {
    return [];
  }
}

/** The JSON-RPC messages of an answer: a JSON body (one message or a batch) or an SSE stream's `data` fields. */
function messagesOf(response: OutboundResponse): Message[] {
  const type = response.headers["content-type"] ?? "";
  const text = response.body.toString("utf8");
  if (type.includes("application/json")) return parseMessages(text);
  if (type.includes("text/event-stream")) return text.split(SSE_EVENT_END).flatMap(eventMessages);
  throw new StreamableHTTPError(-1, `Unexpected content type: ${type || "none"}`);
}

const SSE_EVENT_END = /\r?\n\r?\n/;

function parseMessages(json: string): Message[] {
  const value = JSON.parse(json) as unknown;
  return (Array.isArray(value) ? value : [value]).filter((m): m is Message => typeof m === "object" && m !== null);
}

/** The messages of one SSE event: its `data` lines joined. */
function eventMessages(event: string): Message[] {
  const data = event
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
    .join("\n");
  return data ? parseMessages(data) : [];
}

/**
 * Reads an SSE answer's events as they arrive (outboundFetch's `complete`) and keeps the
 * response to request `id` once it has come, so the read can end there and the events are
 * not parsed again.
 */
function sseReader(id: number) {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const reader = {
    response: undefined as Message | undefined,
    complete: (chunk: Buffer, headers: IncomingHttpHeaders): boolean => {
      if (!headers["content-type"]?.includes("text/event-stream")) return false;
      pending += decoder.write(chunk);
      const events = pending.split(SSE_EVENT_END);
      pending = events.pop()!;
      for (const event of events) reader.response ??= eventMessages(event).find((m) => isResponseTo(id, m));
      return reader.response !== undefined;
    },
  };
  return reader;
}
