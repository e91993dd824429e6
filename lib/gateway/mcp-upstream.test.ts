/**
 * The gateway's MCP client against hand-made servers, for what the SDK's McpServer never
 * sends in the integration tests: a server without sessions, an SSE answer with a
 * notification first and CRLF line ends, a JSON-RPC error, and an answer of another type.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutboundError } from "@/lib/outbound/fetch";
import { callMcpUpstream, closeMcpSessions, McpUpstreamError, type McpTarget } from "./mcp-upstream";

process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";

type Rpc = { id?: number; method: string; params?: { name?: string } };
let reply: (msg: Rpc, res: ServerResponse) => void;
let serverVersion = "2025-06-18";
/** How long the server takes over each answer, the handshake's included. */
let answerDelayMs = 0;
/** The server speaks only 2026-07-28: it refuses initialize, and records what each request says of itself. */
let statelessOnly = false;
const statelessSeen: { headers: Record<string, unknown>; meta: unknown }[] = [];
const seen: { method: string; session: string | undefined; version: string | undefined; auth: string | undefined }[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const msg = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Rpc;
      seen.push({ method: msg.method, session: req.headers["mcp-session-id"] as string | undefined, version: req.headers["mcp-protocol-version"] as string | undefined, auth: req.headers.authorization });
      await new Promise((resolve) => setTimeout(resolve, answerDelayMs));
      if (statelessOnly) {
        if (msg.method === "initialize")
          return void res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32022, message: "Unsupported protocol version", data: { supported: ["2026-07-28"], requested: "2025-11-25" } } }));
        const { "mcp-protocol-version": version, "mcp-method": method, "mcp-name": name, "mcp-session-id": session } = req.headers;
        statelessSeen.push({ headers: { version, method, name, session }, meta: (msg.params as { _meta?: unknown } | undefined)?._meta });
      }
      if (msg.id === undefined) return void res.writeHead(202).end();
      if (msg.method === "initialize") return json(res, { jsonrpc: "2.0", id: msg.id, result: { protocolVersion: serverVersion, capabilities: {}, serverInfo: { name: "t", version: "1" } } });
      reply(msg, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(async () => {
  seen.length = 0;
  serverVersion = "2025-06-18";
  answerDelayMs = 0;
  statelessOnly = false;
  statelessSeen.length = 0;
  await closeMcpSessions();
});

const json = (res: ServerResponse, body: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
const target = (): McpTarget => ({ key: "k", url, timeoutMs: 2_000, maxResponseBytes: 64 * 1024, allowedHosts: [new URL(url).host], credential: async () => ({ authorization: "Bearer t0ken" }) });
const ok = { content: [{ type: "text", text: "done" }] };

async function failure(promise: Promise<unknown>): Promise<McpUpstreamError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(McpUpstreamError);
  return error as McpUpstreamError;
}

describe("the gateway's MCP client", () => {
  it("works with a server that names no session: no session header, the negotiated version and the credential on every request", async () => {
    reply = (msg, res) => json(res, { jsonrpc: "2.0", id: msg.id, result: ok });
    const answer = await callMcpUpstream(target(), "repos.get", { repo: "a" });
    expect(answer.result).toMatchObject(ok);
    expect(seen.map((s) => s.method)).toEqual(["initialize", "notifications/initialized", "tools/call"]);
    expect(seen.at(-1)).toEqual({ method: "tools/call", session: undefined, version: "2025-06-18", auth: "Bearer t0ken" });
  });

  it("reads an SSE answer with a notification before the response and CRLF line ends", async () => {
    const sockets = new Set<number | undefined>();
    reply = (msg, res) => {
      sockets.add(res.socket?.remotePort);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`event: message\r\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } })}\r\n\r\n`);
      res.end(`id: 7\r\nevent: message\r\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: msg.id, result: ok })}\r\n\r\n`);
    };
    for (let i = 0; i < 3; i++) expect((await callMcpUpstream(target(), "repos.get", {})).result).toMatchObject(ok);
    expect(sockets.size).toBe(1); // answered on the response event, and the socket still went back to the pool
  });

  it("returns on the response event of an SSE stream the server keeps open, even when the event arrives in pieces", async () => {
    const open: ServerResponse[] = [];
    reply = (msg, res) => {
      open.push(res);
      res.writeHead(200, { "content-type": "text/event-stream" });
      const event = Buffer.from(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: msg.id, result: { content: [{ type: "text", text: "héllo" }] } })}\n\n`);
      const cut = event.indexOf("é") + 1; // inside the two bytes of é
      res.write(event.subarray(0, cut));
      setImmediate(() => res.write(event.subarray(cut)));
    };
    // Before the timeout, or this would be upstream_timeout.
    const answer = await callMcpUpstream(target(), "repos.get", {});
    expect(answer.result).toMatchObject({ content: [{ text: "héllo" }] });
    expect(open).toHaveLength(1);
    // The open stream is closed at the timeout, not left to hold a socket.
    await new Promise((resolve) => (open[0]!.destroyed ? resolve(null) : open[0]!.on("close", resolve)));
  });

  it("fails, rather than waits, on an SSE event that is not JSON in a stream kept open", async () => {
    reply = (_msg, res) => res.writeHead(200, { "content-type": "text/event-stream" }).write("data: {not json\n\n");
    const error = await failure(callMcpUpstream(target(), "repos.get", {}));
    expect(error.stage).toBe("call");
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it("raises a JSON-RPC error as McpError, and an answer of another type as a StreamableHTTPError", async () => {
    reply = (msg, res) => json(res, { jsonrpc: "2.0", id: msg.id, error: { code: -32602, message: "Unknown tool: nope" } });
    const rpc = await failure(callMcpUpstream(target(), "nope", {}));
    expect(rpc.stage).toBe("call");
    expect(rpc.cause).toBeInstanceOf(McpError);
    expect((rpc.cause as McpError).code).toBe(-32602);

    reply = (_msg, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>");
    const html = await failure(callMcpUpstream(target(), "repos.get", {}));
    expect(html.cause).toBeInstanceOf(StreamableHTTPError);
    expect((html.cause as StreamableHTTPError).code).toBe(-1);
  });

  it("speaks 2026-07-28 to an upstream that refuses initialize naming only that revision: no session, the revision in _meta and headers", async () => {
    statelessOnly = true;
    reply = (msg, res) => json(res, { jsonrpc: "2.0", id: msg.id, result: { resultType: "complete", ...ok } });
    for (const name of ["repos.get", "répos.get"]) expect((await callMcpUpstream(target(), name, { repo: "a" })).result).toMatchObject(ok);
    expect(seen.map((s) => s.method)).toEqual(["initialize", "tools/call", "tools/call"]);
    expect(statelessSeen).toEqual([
      { headers: { version: "2026-07-28", method: "tools/call", name: "repos.get", session: undefined }, meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "gatehouse-gateway", version: "0.1.0" } } },
      { headers: { version: "2026-07-28", method: "tools/call", name: `=?base64?${Buffer.from("répos.get").toString("base64")}?=`, session: undefined }, meta: expect.any(Object) },
    ]);
  });

  it("fails a 2026-07-28 call that asks for more input, which the gateway cannot give", async () => {
    statelessOnly = true;
    reply = (msg, res) => json(res, { jsonrpc: "2.0", id: msg.id, result: { resultType: "input_required", inputRequests: {} } });
    const error = await failure(callMcpUpstream(target(), "repos.get", {}));
    expect(error.stage).toBe("call");
    expect(error.message).toMatch(/input_required/);
  });

  it("holds the whole call, handshake included, to the tool's timeout: a server that answers each request just in time times out once", async () => {
    answerDelayMs = 400; // initialize, notifications/initialized and tools/call: 1.2 s, each under the 1 s timeout
    reply = (msg, res) => json(res, { jsonrpc: "2.0", id: msg.id, result: ok });
    const started = performance.now();
    const error = await failure(callMcpUpstream({ ...target(), timeoutMs: 1_000 }, "repos.get", {}));
    expect(performance.now() - started).toBeLessThan(1_150);
    expect(error.stage).toBe("call");
    expect((error.cause as OutboundError).code).toBe("timeout");
    expect(seen.map((s) => s.method)).toEqual(["initialize", "notifications/initialized", "tools/call"]);
  });

  it("refuses a result that is not a tool result, and an initialize it cannot use", async () => {
    reply = (msg, res) => json(res, { jsonrpc: "2.0", id: msg.id, result: { content: "text" } });
    expect((await failure(callMcpUpstream(target(), "repos.get", {}))).message).toMatch(/not a tool result/);

    await closeMcpSessions();
    serverVersion = "1999-01-01";
    const old = await failure(callMcpUpstream(target(), "repos.get", {}));
    expect(old.stage).toBe("connect");
    expect(old.message).toMatch(/protocol version is not supported/);
  });
});
