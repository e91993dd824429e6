/**
 * Calling a tool whose upstream is a remote MCP server (Streamable HTTP), as an MCP client:
 * the SDK's own client, with every HTTP request it makes sent through the outbound guard
 * (the connection's hosts only, no redirects, the tool's timeout and size cap) and the
 * vaulted credential added per request (so a renewed OAuth token is picked up).
 *
 * Sessions are kept per tool, connection and secret: an MCP session costs an initialize
 * round trip and a notification, which would otherwise precede every call. A session the
 * upstream has forgotten (HTTP 404, which means the call was not run) is opened again once.
 */
import { createHash } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { outboundFetch } from "@/lib/outbound/fetch";

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

const MAX_SESSIONS = 200;
const sessions = new Map<string, Promise<Client>>();

export function sessionKey(parts: { toolId: string; connectionId: string; sealed: string; url: string }): string {
  return createHash("sha256").update(`${parts.toolId}\n${parts.connectionId}\n${parts.sealed}\n${parts.url}`).digest("hex");
}

/** `tools/call` on the upstream; throws McpUpstreamError (its cause: OutboundError, StreamableHTTPError, McpError or a parse error). */
export async function callMcpUpstream(target: McpTarget, name: string, args: Record<string, unknown>): Promise<McpCallResult> {
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    let client: Client;
    try {
      client = await session(target);
    } catch (error) {
      throw new McpUpstreamError("connect", error);
    }
    try {
      const result = (await client.callTool({ name, arguments: args }, undefined, { timeout: target.timeoutMs })) as Record<string, unknown>;
      const bytes = Buffer.from(JSON.stringify(result));
      return { result, bytes, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      forget(target.key, client);
      if (attempt === 0 && error instanceof StreamableHTTPError && error.code === 404) continue;
      throw new McpUpstreamError("call", error);
    }
  }
}

function session(target: McpTarget): Promise<Client> {
  const open = sessions.get(target.key);
  if (open) return open;
  const opening = (async () => {
    const client = new Client({ name: "gatehouse-gateway", version: "0.1.0" });
    const transport = new StreamableHTTPClientTransport(new URL(target.url), { fetch: guardedFetch(target) });
    await client.connect(transport, { timeout: target.timeoutMs });
    return client;
  })();
  sessions.set(target.key, opening);
  opening.catch(() => sessions.delete(target.key));
  while (sessions.size > MAX_SESSIONS) {
    const [oldest, client] = sessions.entries().next().value!;
    sessions.delete(oldest);
    void client.then((c) => c.close()).catch(() => {});
  }
  return opening;
}

function forget(key: string, client: Client) {
  void sessions.get(key)?.then((current) => {
    if (current !== client) return;
    sessions.delete(key);
    void client.close().catch(() => {});
  });
}

/** Closes every kept session (tests, shutdown). */
export async function closeMcpSessions() {
  const open = [...sessions.values()];
  sessions.clear();
  await Promise.allSettled(open.map(async (c) => (await c).close()));
}

/** The SDK transport's fetch, through the outbound guard; the stream a GET would hold open is declined. */
function guardedFetch(target: McpTarget): FetchLike {
  return async (url, init) => {
    const method = init?.method ?? "GET";
    // The standalone server-to-client stream: the gateway only sends requests and reads their answers.
    if (method === "GET") return new Response(null, { status: 405 });
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const response = await outboundFetch({
      url: String(url),
      method,
      headers: { ...headers, ...(await target.credential()) },
      body: typeof init?.body === "string" ? init.body : undefined,
      timeoutMs: target.timeoutMs,
      maxResponseBytes: target.maxResponseBytes,
      allowedHosts: target.allowedHosts,
      onTooLarge: "error",
      redirects: "return",
    });
    const bodyless = response.status === 204 || response.status === 304 || response.status === 205;
    return new Response(bodyless ? null : new Uint8Array(response.body), { status: response.status, headers: response.headers });
  };
}
