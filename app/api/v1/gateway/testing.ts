/** Test helpers for the gateway tests (here, not lib/testing, since they call the route): a real upstream that keeps what it receives, and a tenant whose stripe tool calls it. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { POST as gatewayPost } from "@/app/api/v1/gateway/[tool]/[operation]/route";
import { createConnection } from "@/lib/connections/create-connection";
import { serveRoute } from "@/lib/http/node-handler";
import { closeQueues } from "@/lib/queue/registry";
import { startDecisionsWorker } from "@/lib/testing/decisions-worker";
import { AGENT_API_ROUTES } from "@/servers/agent-api-routes";
import { withTenant } from "@/lib/db/tenant";
import { updateOperation } from "@/lib/tools/update-operation";
import { updateTool } from "@/lib/tools/update-tool";
import { uniq } from "@/lib/testing/factories";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";

export type Received = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };

/**
 * node:http on 127.0.0.1 (tests set OUTBOUND_ALLOW_HOSTS=127.0.0.1): /slow answers after
 * 3 s, /fail 503, /huge 200 KB, /redirect a 302 to the metadata address, /refuse 401,
 * /unstorable and /deep JSON that Postgres cannot store as it is, /escaped the key echoed in JSON escapes,
 * /cut the key echoed across the size cap;
 * anything else 201 with a refund id and an echo of the headers and body it was sent.
 */
export async function startTestUpstream(): Promise<{ server: Server; base: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, "http://x");
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(payload));
      };
      if (url.pathname.startsWith("/slow")) return void setTimeout(() => send(200, { ok: true }), 3_000);
      if (url.pathname.startsWith("/fail")) return send(503, { error: "down for maintenance" });
      if (url.pathname.startsWith("/huge")) return send(200, { blob: "x".repeat(200_000) });
      if (url.pathname.startsWith("/redirect")) return send(302, {}, { location: "http://169.254.169.254/latest/meta-data" });
      if (url.pathname.startsWith("/refuse")) return send(401, { error: "invalid api key" });
      // JSON Postgres cannot store as it is: a lone surrogate and a NUL (as JSON escapes, which JSON.stringify would not write), and 1,000-deep nesting.
      if (url.pathname.startsWith("/unstorable")) return void res.writeHead(201, { "content-type": "application/json" }).end('{"id":"re_u","note":"a\\ud800b","k\\u0000":"c\\u0000"}');
      // The key echoed with every character as a JSON \\u escape (as some encoders write non-ASCII or "/"): the same string once parsed.
      if (url.pathname.startsWith("/escaped")) {
        const key = String(req.headers["x-api-key"] ?? "");
        const escaped = [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
        return void res.writeHead(201, { "content-type": "application/json" }).end(`{"id":"re_e","echo":"${escaped}","${escaped}":1}`);
      }
      // The key echoed across the 4,096-byte cap (maxResponseBytes below): only its first 6 characters arrive.
      if (url.pathname.startsWith("/cut")) return void res.writeHead(201, { "content-type": "application/json" }).end(`${"x".repeat(4_090)}${String(req.headers["x-api-key"] ?? "")}`);
      if (url.pathname.startsWith("/deep")) return void res.writeHead(201, { "content-type": "application/json" }).end(`{"id":"re_d","x":${"[".repeat(1_000)}1${"]".repeat(1_000)}}`);
      send(201, { id: `re_${uniq()}`, url: "https://dashboard.example/refunds/1", echo: { headers: req.headers, body } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const toolIdOf = (tenantId: string, name: string) => withTenant({ tenantId }, async (tx) => (await tx.tool.findFirstOrThrow({ where: { tenantId, name } })).id);

/** A policy tenant whose stripe refunds.create goes through the gateway to `base` with a vaulted API key (X-Api-Key). */
export async function createGatewayTenant(base: string, opts: { path?: string; timeoutMs?: number; approval?: "always"; secret?: string } = {}) {
  const ctx = await createPolicyTenant();
  const secret = opts.secret ?? `sk_test_MARKER_${uniq()}${uniq()}`;
  const connection = await createConnection({
    actor: ctx.owner,
    request: { name: "stripe-test", kind: "api_key", headerName: "X-Api-Key", secret, allowedHosts: [new URL(base).host] },
  });
  await updateTool({
    actor: ctx.owner,
    toolId: await toolIdOf(ctx.tenant.id, "stripe"),
    changes: { upstream: { kind: "http", baseUrl: base, connectionId: connection.id, timeoutMs: opts.timeoutMs ?? 2_000, maxResponseBytes: 4096 } },
  });
  const op = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.toolOperation.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, name: "refunds.create" } }));
  await updateOperation({
    actor: ctx.owner,
    toolId: op.toolId,
    operationId: op.id,
    changes: { http: { method: "POST", path: opts.path ?? "/v1/charges/{charge_id}/refunds" }, sideEffectFields: { object_type: "refund", id: "id", url: "url" } },
  });
  await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"], ...(opts.approval && { approval: { tier: opts.approval } }) })]);
  return { ...ctx, secret, connection };
}

export type GatewayAnswer = Record<string, unknown> & { decision?: string; decision_id?: string; reasons?: { code: string }[]; approval?: { id: string }; result?: Record<string, unknown>; error?: { code: string; message: string } };

/** POST /api/v1/gateway/{tool}/{operation} through the Next route handler. */
export async function gatewayCall(token: string, body: Record<string, unknown>, tool = "stripe", operation = "refunds.create"): Promise<{ status: number; body: GatewayAnswer; text: string }> {
  const res = await gatewayPost(
    new Request(`http://gatehouse.test/api/v1/gateway/${tool}/${operation}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ run_id: "run_gw", ...body }),
    }),
    { params: Promise.resolve({ tool, operation }) },
  );
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as GatewayAnswer, text };
}

/**
 * The machine API on the lean node:http server (127.0.0.1, a free port), with a test
 * upstream, a decisions worker, and a tenant whose stripe refunds.create is allowed
 * through the gateway: what tests that speak raw HTTP to the gateway or MCP endpoint need.
 */
export async function startLeanGatewayServer() {
  const upstream = await startTestUpstream();
  const worker = startDecisionsWorker(2);
  const server = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const open = await createGatewayTenant(upstream.base);
  return {
    upstream,
    port: (server.address() as AddressInfo).port,
    open,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await worker.close();
      await closeQueues();
      await upstream.close();
    },
  };
}
