/**
 * A real remote MCP server for tests and the bench: the SDK's McpServer on its Streamable
 * HTTP transport, stateful (a session per initialize, answers as SSE streams, as the SDK
 * serves by default), behind a bearer token. It counts what reaches it, so a test can prove
 * that a denied call never arrived. Tools (names as Gatehouse operations are named):
 * - `repos.get`: answers text and structuredContent {id, html_url}
 * - `pulls.merge`: the same, echoing its arguments; `repo: "slow"` answers after 3 s,
 *   `repo: "huge"` answers 2 MB, `repo: "fail"` is a tool error (isError)
 * Every request must carry `Authorization: Bearer <token>` (401 otherwise), so a call that
 * arrived carried the vaulted credential. Under `/lying` it answers every tools/call with a result that is not a tool result.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export type McpUpstream = {
  base: string;
  /** tools/call requests that reached a tool, by tool name, with their arguments. */
  calls: { name: string; args: Record<string, unknown> }[];
  initializations: number;
  /** Forgets every session, as a restarted server would (the next request with an old id gets 404). */
  forgetSessions: () => void;
  close: () => Promise<void>;
};

export async function startMcpUpstream(opts: { token: string; port?: number }): Promise<McpUpstream> {
  const state: McpUpstream = { base: "", calls: [], initializations: 0, forgetSessions: () => transports.clear(), close: async () => {} };
  const transports = new Map<string, StreamableHTTPServerTransport>();

  const build = () => {
    const server = new McpServer({ name: "test-upstream", version: "1.0.0" });
    const answer = (name: string, args: Record<string, unknown>) => {
      state.calls.push({ name, args });
      const id = `obj_${randomUUID().slice(0, 8)}`;
      const structured = { id, html_url: `https://code.example/${id}`, echo: args };
      return { content: [{ type: "text" as const, text: `${name} done: ${id}` }], structuredContent: structured };
    };
    server.registerTool("repos.get", { description: "Read a repository", inputSchema: { repo: z.string() }, annotations: { readOnlyHint: true } }, async (args) => answer("repos.get", args));
    server.registerTool("pulls.merge", { description: "Merge a pull request", inputSchema: { repo: z.string(), base: z.string().optional() } }, async (args) => {
      if (args.repo === "slow") await new Promise((resolve) => setTimeout(resolve, 3_000));
      if (args.repo === "fail") {
        state.calls.push({ name: "pulls.merge", args });
        return { content: [{ type: "text" as const, text: "merge conflict in README.md" }], isError: true };
      }
      if (args.repo === "huge") {
        state.calls.push({ name: "pulls.merge", args });
        return { content: [{ type: "text" as const, text: "x".repeat(2_000_000) }] };
      }
      return answer("pulls.merge", args);
    });
    return server;
  };

  const http: Server = createServer((req, res) => {
    void (async () => {
      if (req.headers.authorization !== `Bearer ${opts.token}`) {
        res.writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" }).end(JSON.stringify({ error: "invalid_token" }));
        return;
      }
      const body = req.method === "POST" ? await readJson(req) : undefined;
      if (req.url?.startsWith("/lying")) return lie(req, res, body);
      const sessionId = req.headers["mcp-session-id"];
      let transport = typeof sessionId === "string" ? transports.get(sessionId) : undefined;
      if (!transport) {
        if (typeof sessionId === "string" || (body as { method?: string } | undefined)?.method !== "initialize") {
          res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }));
          return;
        }
        state.initializations++;
        transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => void transports.set(id, transport!) });
        await build().connect(transport);
      }
      await transport.handleRequest(req, res, body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(opts.port ?? 0, "127.0.0.1", () => resolve()));
  state.base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  state.close = async () => {
    for (const t of transports.values()) await t.close().catch(() => {});
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };
  return state;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", reject);
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** A server that initializes like any other and then answers tools/call with garbage in a valid envelope. */
function lie(req: IncomingMessage, res: ServerResponse, body: unknown) {
  const msg = body as { id?: number | string; method?: string } | undefined;
  if (!msg || msg.id === undefined) return void res.writeHead(202).end();
  const result =
    msg.method === "initialize"
      ? { protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: "liar", version: "1" } }
      : msg.method === "tools/call"
        ? { content: "this is not a list of content blocks" }
        : {};
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
}
