/**
 * A tool whose upstream is a remote MCP server (the SDK's McpServer on Streamable HTTP, a
 * session per client, SSE answers): Gatehouse calls it as an MCP client with the vaulted
 * bearer token, through POST /api/v1/gateway and through its own MCP endpoint; a denied call
 * never reaches it; an upstream that hangs, answers huge, lies about its result, forgets its
 * session or refuses the credential is a clear upstream_* error, recorded, never a 500.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createConnection } from "@/lib/connections/create-connection";
import { withTenant } from "@/lib/db/tenant";
import { closeMcpSessions } from "@/lib/gateway/mcp-upstream";
import { serveRoute } from "@/lib/http/node-handler";
import { closeQueues } from "@/lib/queue/registry";
import { listRunEvents } from "@/lib/runs/list-run-events";
import { startDecisionsWorker, type DecisionsWorker } from "@/lib/testing/decisions-worker";
import { uniq } from "@/lib/testing/factories";
import { startMcpUpstream, type McpUpstream } from "@/lib/testing/mcp-upstream";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { updateOperation } from "@/lib/tools/update-operation";
import { updateTool } from "@/lib/tools/update-tool";
import { AGENT_API_ROUTES } from "@/servers/agent-api-routes";
import { gatewayCall as call, toolIdOf } from "./testing";

process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";

const TOKEN = `ghp_MCPMARKER_${uniq()}${uniq()}`;
let upstream: McpUpstream;
let worker: DecisionsWorker;
let server: Server;
let gatehouse: string;

beforeAll(async () => {
  upstream = await startMcpUpstream({ token: TOKEN });
  worker = startDecisionsWorker(4);
  server = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  gatehouse = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await closeMcpSessions();
  await new Promise((resolve) => server.close(resolve));
  await worker.close();
  await closeQueues();
  await upstream.close();
});
beforeEach(() => {
  upstream.calls.length = 0;
});

/** A tenant whose github tool is the MCP upstream (repos.get and pulls.merge allowed; pulls.merge forbidden for repo "forbidden"). */
async function setup(opts: { path?: string; secret?: string; timeoutMs?: number } = {}) {
  const ctx = await createPolicyTenant();
  const connection = await createConnection({
    actor: ctx.owner,
    request: { name: "github-mcp", kind: "bearer", secret: opts.secret ?? TOKEN, allowedHosts: [new URL(upstream.base).host] },
  });
  const toolId = await toolIdOf(ctx.tenant.id, "github");
  await updateTool({
    actor: ctx.owner,
    toolId,
    changes: { upstream: { kind: "mcp", baseUrl: `${upstream.base}${opts.path ?? "/mcp"}`, connectionId: connection.id, timeoutMs: opts.timeoutMs ?? 1_500, maxResponseBytes: 64 * 1024 } },
  });
  const merge = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.toolOperation.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, toolId, name: "pulls.merge" } }));
  await updateOperation({ actor: ctx.owner, toolId, operationId: merge.id, changes: { sideEffectFields: { object_type: "merge", id: "id", url: "html_url" } } });
  await publishRules(ctx.owner, [
    rule({ tool: "github", operations: ["repos.get", "pulls.merge"] }),
    rule({ tool: "github", operations: ["pulls.merge"], effect: "forbid", cedar: 'context.args has repo && context.args.repo == "forbidden"' }),
  ]);
  return ctx;
}

async function serverEvents(tenantId: string, run = "run_gw") {
  const page = await listRunEvents({ tenantId, externalId: run, limit: 500 });
  return page.events as unknown as { id: string; type: string; source: string; [k: string]: unknown }[];
}

describe("a tool whose upstream is an MCP server", () => {
  it("calls it with the vaulted credential, answers its tool result, attests call and result, and keeps the session", async () => {
    const ctx = await setup();
    const before = upstream.initializations;
    const answer = await call(ctx.token, { args: { repo: "acme/api", base: "main" } }, "github", "pulls.merge");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      decision: "allow",
      result: {
        status: 200,
        upstream_kind: "mcp",
        body: { content: [{ type: "text", text: expect.stringMatching(/^pulls\.merge done: obj_/) }], structuredContent: { echo: { repo: "acme/api", base: "main" } } },
        side_effects: [{ system: "github", object_type: "merge", object_id: expect.stringMatching(/^obj_/), url: expect.stringMatching(/^https:\/\/code\.example\//) }],
      },
    });
    expect(upstream.calls).toEqual([{ name: "pulls.merge", args: { repo: "acme/api", base: "main" } }]);
    expect(answer.text).not.toContain(TOKEN);

    // A second call reuses the session: no new initialize.
    await call(ctx.token, { args: { repo: "acme/web" } }, "github", "repos.get");
    expect(upstream.calls).toHaveLength(2);
    expect(upstream.initializations).toBe(before + 1);

    await expect.poll(async () => (await serverEvents(ctx.tenant.id)).filter((e) => e.type.startsWith("gateway.")).length, { timeout: 10_000 }).toBe(4);
    const events = await serverEvents(ctx.tenant.id);
    expect(events.find((e) => e.type === "gateway.call")).toMatchObject({ source: "server", method: "MCP tools/call", url: `${upstream.base}/mcp` });
    expect(events.find((e) => e.type === "gateway.result" && e.decision_id === answer.body.decision_id)).toMatchObject({ status: 200, response_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it("never reaches the upstream on deny", async () => {
    const ctx = await setup();
    const denied = await call(ctx.token, { args: { repo: "forbidden" } }, "github", "pulls.merge");
    expect(denied.body).toMatchObject({ decision: "deny" });
    const invalid = await call(ctx.token, { args: { repo: 42 } }, "github", "pulls.merge");
    expect(invalid.body).toMatchObject({ decision: "deny", reasons: [{ code: "invalid_args" }] });
    expect(upstream.calls).toHaveLength(0);
  });

  it("passes a tool error through as the tool's result, not as a gateway failure", async () => {
    const ctx = await setup();
    const answer = await call(ctx.token, { args: { repo: "fail" } }, "github", "pulls.merge");
    expect(answer.status).toBe(200);
    expect(answer.body.result).toMatchObject({ body: { isError: true, content: [{ text: "merge conflict in README.md" }] }, side_effects: [] });
  });

  it("answers upstream_timeout, upstream_error for a huge or invalid result, and reopens a forgotten session once", async () => {
    const ctx = await setup({ timeoutMs: 500 });
    const started = Date.now();
    const slow = await call(ctx.token, { args: { repo: "slow" } }, "github", "pulls.merge");
    expect(slow.status).toBe(504);
    expect(slow.body.error).toMatchObject({ code: "upstream_timeout" });
    expect(Date.now() - started).toBeLessThan(2_500);

    const huge = await call(ctx.token, { args: { repo: "huge" } }, "github", "pulls.merge");
    expect(huge.status).toBe(502);
    expect(huge.body.error).toMatchObject({ code: "upstream_error", message: expect.stringContaining("too large") });

    upstream.forgetSessions();
    upstream.calls.length = 0;
    const again = await call(ctx.token, { args: { repo: "acme/api" } }, "github", "pulls.merge");
    expect(again.body).toMatchObject({ decision: "allow", result: { status: 200 } });
    expect(upstream.calls).toHaveLength(1);

    const liar = await setup({ path: "/lying" });
    const lied = await call(liar.token, { args: { repo: "acme/api" } }, "github", "pulls.merge");
    expect(lied.status).toBe(502);
    expect(lied.body.error).toMatchObject({ code: "upstream_error", message: expect.stringContaining("not a valid") });
  });

  it("records a refused credential and sends nothing further", async () => {
    const ctx = await setup({ secret: "ghp_wrong_token_value" });
    const answer = await call(ctx.token, { args: { repo: "acme/api" } }, "github", "pulls.merge");
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatchObject({ code: "upstream_error", message: expect.stringContaining("refused the credential") });
    expect(answer.text).not.toContain("ghp_wrong_token_value");
    expect(upstream.calls).toHaveLength(0);
    await expect
      .poll(async () => (await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.connection.findFirstOrThrow({ where: { tenantId: ctx.tenant.id } }))).lastFailureMessage, { timeout: 10_000 })
      .toContain("refused the credential");
  });

  it("is reached through Gatehouse's own MCP endpoint with the SDK client, with the upstream's content returned as it came", async () => {
    const ctx = await setup();
    const client = new Client({ name: "mcp-upstream-int-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gatehouse}/api/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${ctx.token}` } } }));
    try {
      const result = await client.callTool({ name: "github__pulls_merge", arguments: { repo: "acme/api" } });
      expect(result.isError).toBe(false);
      expect(result.content).toEqual([{ type: "text", text: expect.stringMatching(/^pulls\.merge done: obj_/) }]);
      expect(result.structuredContent).toMatchObject({ echo: { repo: "acme/api" } });
      expect(result._meta).toMatchObject({ "gatehouse/decision": "allow", "gatehouse/status": 200 });
      const denied = await client.callTool({ name: "github__pulls_merge", arguments: { repo: "forbidden" } });
      expect(denied.isError).toBe(true);
      expect(upstream.calls).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
