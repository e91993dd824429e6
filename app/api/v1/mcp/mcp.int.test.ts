/**
 * The MCP gateway over real HTTP with the @modelcontextprotocol/sdk client: discovery,
 * least-privilege tools/list, tools/call through the gateway pipeline against a real
 * upstream (allow, deny with reasons, an approval that completes and runs once), and bad
 * input answered with JSON-RPC errors, never a 500, with nothing sent upstream. Then the
 * stateless revision 2026-07-28 with the v2 SDK's client (@modelcontextprotocol/client), and
 * the same through the OpenAI Agents SDK (a scripted model) and the Vercel AI SDK's MCP client.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createMCPClient } from "@ai-sdk/mcp";
import { Client as StatelessClient, StreamableHTTPClientTransport as StatelessTransport } from "@modelcontextprotocol/client";
import { Agent, MCPServerStreamableHttp, Usage, run, setTracingDisabled, type Model, type ModelRequest, type ModelResponse } from "@openai/agents";
import { startDecisionsWorker, type DecisionsWorker } from "@/lib/testing/decisions-worker";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGatewayTenant, startTestUpstream, type Received } from "@/app/api/v1/gateway/testing";
import { signAgentToken } from "@/lib/agents/agent-token";
import { approvalEvents } from "@/lib/approvals/approval-events";
import { voteOnApproval } from "@/lib/approvals/vote-on-approval";
import { updateAgent } from "@/lib/agents/update-agent";
import { changeAgentStatus } from "@/lib/agents/change-agent-status";
import { endListenStreams, listenersOpen } from "@/lib/mcp/listen";
import { withTenant } from "@/lib/db/tenant";
import { serveRoute } from "@/lib/http/node-handler";
import { toolsListResult } from "@/lib/mcp/list-mcp-tools";
import { publishRules, rule } from "@/lib/testing/policy";
import { createUser } from "@/lib/testing/factories";
import { closeQueues } from "@/lib/queue/registry";
import { AGENT_API_ROUTES } from "@/servers/agent-api-routes";

process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";

let upstream: Awaited<ReturnType<typeof startTestUpstream>>;
let received: Received[];
let worker: DecisionsWorker;
let server: Server;
let gatehouse: string;

beforeAll(async () => {
  upstream = await startTestUpstream();
  received = upstream.received;
  worker = startDecisionsWorker(4);
  server = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  gatehouse = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await worker.close();
  await closeQueues();
  await upstream.close();
});
beforeEach(() => {
  received.length = 0;
});

async function connect(token: string) {
  const client = new Client({ name: "mcp-int-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gatehouse}/api/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

const post = (token: string | null, body: string, headers: Record<string, string> = {}) =>
  fetch(`${gatehouse}/api/v1/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(token && { authorization: `Bearer ${token}` }), ...headers },
    body,
  });

const textOf = (result: Record<string, unknown>) => (result.content as { type: string; text: string }[]).map((c) => c.text).join("\n");

const credentialOf = (ctx: { tenant: { id: string }; agent: { id: string } }) =>
  withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.agentCredential.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, agentId: ctx.agent.id } }));

async function approverOf(tenant: { id: string; slug: string; name: string }) {
  const user = await createUser();
  await withTenant({ tenantId: tenant.id }, (tx) => tx.membership.create({ data: { tenantId: tenant.id, userId: user.id, role: "approver" } }));
  return { user: { id: user.id, email: user.email, name: user.name }, role: "approver" as const, tenant };
}

describe("discovery (MCP authorization)", () => {
  it("answers 401 with the resource metadata URL, and serves RFC 9728 and RFC 8414 documents", async () => {
    const res = await post(null, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
    expect(res.status).toBe(401);
    const challenge = res.headers.get("www-authenticate")!;
    expect(challenge).toBe(`Bearer resource_metadata="${gatehouse}/.well-known/oauth-protected-resource/api/v1/mcp"`);
    const resource = await (await fetch(challenge.match(/"(.+)"/)![1]!)).json();
    expect(resource).toMatchObject({ resource: `${gatehouse}/api/v1/mcp`, authorization_servers: [gatehouse] });
    expect(await (await fetch(`${gatehouse}/.well-known/oauth-protected-resource`)).json()).toEqual(resource);
    const asResponse = await fetch(`${gatehouse}/.well-known/oauth-authorization-server`);
    // No PUBLIC_URL here: the documents echo the request's Host, so no cache may keep them.
    expect(asResponse.headers.get("cache-control")).toBe("no-store");
    const as = await asResponse.json();
    expect(as).toMatchObject({ issuer: gatehouse, token_endpoint: `${gatehouse}/api/v1/oauth/token`, grant_types_supported: expect.arrayContaining(["client_credentials"]) });
  });
});

describe("audience binding (RFC 8707)", () => {
  it("issues tokens only for this server's MCP resource and accepts a bound token only there", async () => {
    const form = (resource: string) =>
      fetch(`${gatehouse}/api/v1/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: "agt_nobody", client_secret: "wrong", resource }),
      });
    const foreign = await form("https://upstream.example/mcp");
    expect(foreign.status).toBe(400);
    expect((await foreign.json()).error).toBe("invalid_target");
    expect((await (await form(`${gatehouse}/api/v1/mcp`)).json()).error).toBe("invalid_client");

    const ctx = await createGatewayTenant(upstream.base);
    const credentialId = (await credentialOf(ctx)).id;
    const bound = (resource: string) => signAgentToken({ agentId: ctx.agent.id, tenantId: ctx.tenant.id, credentialId, ttlSeconds: 60, resource });
    const ping = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
    expect((await post((await bound(`${gatehouse}/api/v1/mcp`)).token, ping)).status).toBe(200);
    const elsewhere = await post((await bound("https://other.example/api/v1/mcp")).token, ping);
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get("www-authenticate")).toMatch(/resource_metadata=/);
  });
});

describe("with the @modelcontextprotocol/sdk client", () => {
  it("lists only what the policy could allow, with mangled names, schemas and risk annotations", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    await publishRules(ctx.owner, [
      rule({ tool: "stripe", operations: ["refunds.create"] }),
      rule({ tool: "github", operations: ["*"] }),
      rule({ tool: "github", operations: ["pulls.merge"], effect: "forbid" }),
    ]);
    const client = await connect(ctx.token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["github__repos_get", "stripe__refunds_create"]);
    const refund = tools.find((t) => t.name === "stripe__refunds_create")!;
    expect(refund.inputSchema).toMatchObject({ type: "object", required: ["charge_id", "amount_cents"] });
    expect(refund.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(tools.find((t) => t.name === "github__repos_get")!.annotations).toMatchObject({ readOnlyHint: true });
    await client.close();
  });

  it("lists all 500 operations of a large tool (its speed is measured by npm run bench -- gateway)", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    await withTenant({ tenantId: ctx.tenant.id }, (tx) =>
      tx.tool.create({ data: { tenantId: ctx.tenant.id, name: "big", displayName: "Big", operations: { create: Array.from({ length: 500 }, (_, i) => ({ name: `op.${i}`, riskClass: "read" as const, argsSchema: { type: "object", properties: { id: { type: "string" } } } })) } } }),
    );
    await publishRules(ctx.owner, [rule({ tool: "big", operations: ["*"] })]);
    const principal = { agentId: ctx.agent.id, tenantId: ctx.tenant.id, name: ctx.agent.name, labels: ctx.agent.labels, jti: "j", credentialId: "c" };
    await expect.poll(async () => (await toolsListResult(principal)).tools.filter((t) => t.name.startsWith("big__")).length, { timeout: 5_000 }).toBe(500);
    const names = new Set((await toolsListResult(principal)).tools.map((t) => t.name));
    expect(names.has("big__op_0") && names.has("big__op_499")).toBe(true);
  });

  it("answers tools/list with the listing's JSON made once, as a batch would serialize it, keeping an id that needs escaping", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const id = 'a"b\\c\u2028';
    const single = await post(ctx.token, JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list" }));
    const answer = JSON.parse(await single.text());
    expect(answer).toMatchObject({ jsonrpc: "2.0", id, result: { tools: expect.arrayContaining([expect.objectContaining({ name: "stripe__refunds_create" })]) } });
    const batch = await post(ctx.token, JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "tools/list" }]), { "mcp-protocol-version": "2025-03-26" });
    expect(await batch.json()).toEqual([{ ...answer, id: 1 }]);
  });

  it("executes an allowed call upstream and returns its result", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const client = await connect(ctx.token);
    const result = await client.callTool({ name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: 500 } });
    expect(result.isError).toBe(false);
    expect(textOf(result)).toMatch(/"id":"re_/);
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["x-api-key"]).toBe(ctx.secret);
    // The agent's own token never reaches the upstream.
    expect(received[0]!.headers.authorization).toBeUndefined();
    await client.close();
  });

  it("answers a denied call with isError and the reasons, and sends nothing", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const client = await connect(ctx.token);
    const result = await client.callTool({ name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: "lots" } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Gatehouse denied this call:[\s\S]*do not match the schema/);
    expect(received).toHaveLength(0);
    await client.close();
  });

  it("waits for an approval and then executes the call once", async () => {
    const ctx = await createGatewayTenant(upstream.base, { approval: "always" });
    const approver = await approverOf(ctx.tenant);
    const client = await connect(ctx.token);
    const held = client.callTool({ name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: 900 } });
    const pending = () => withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findFirst({ where: { tenantId: ctx.tenant.id, status: "pending" } }));
    await expect.poll(async () => (await pending())?.id, { timeout: 10_000 }).toBeTruthy();
    expect(received).toHaveLength(0);
    await voteOnApproval({ actor: approver, approvalId: (await pending())!.id, verdict: "approve" });
    const result = await held;
    expect(result.isError).toBe(false);
    expect(received).toHaveLength(1);
    await client.close();
  });

  it("sends progress notifications while a call waits for its approval, then the result on the same stream", async () => {
    const ctx = await createGatewayTenant(upstream.base, { approval: "always" });
    const approver = await approverOf(ctx.tenant);
    const client = await connect(ctx.token);
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const held = client.callTool({ name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: 950 } }, undefined, { onprogress: (p) => void progress.push(p) });
    await expect.poll(() => progress.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const approval = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, status: "pending" } }));
    expect(progress[0]).toMatchObject({ progress: 0, total: 30, message: expect.stringContaining(approval.id) });
    expect(received).toHaveLength(0);
    await voteOnApproval({ actor: approver, approvalId: approval.id, verdict: "approve" });
    const result = await held;
    expect(result.isError).toBe(false);
    expect(received).toHaveLength(1);
    await client.close();
  });

  it("refuses a tool that is not in the agent's list without executing anything", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const client = await connect(ctx.token);
    await expect(client.callTool({ name: "github__pulls_merge", arguments: { repo: "acme/web" } })).rejects.toThrow(/not in this agent's tools\/list/);
    expect(received).toHaveLength(0);
    await client.close();
  });
});

describe("a caller that goes away while its call waits for a human", () => {
  const pendingApproval = (tenantId: string) => withTenant({ tenantId }, (tx) => tx.approval.findFirst({ where: { tenantId, status: "pending" } }));

  /** Starts `send` (aborted by the signal), waits until the server holds it for an approval, aborts it and waits until the server stopped waiting. */
  async function abandon(tenantId: string, send: (signal: AbortSignal) => Promise<Response>) {
    const controller = new AbortController();
    const sent = send(controller.signal).then((res) => res.text()).catch(() => "aborted");
    await expect.poll(async () => approvalEvents.waiting((await pendingApproval(tenantId))?.id ?? "none"), { timeout: 10_000 }).toBe(1);
    const approval = (await pendingApproval(tenantId))!;
    controller.abort();
    await sent;
    await expect.poll(() => approvalEvents.waiting(approval.id), { timeout: 10_000 }).toBe(0);
    return approval;
  }

  it.each([
    ["a gateway call", (token: string, signal: AbortSignal) =>
      fetch(`${gatehouse}/api/v1/gateway/stripe/refunds.create`, { method: "POST", signal, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ run_id: "r1", args: { charge_id: "ch_1", amount_cents: 990 }, wait: 30 }) })],
    ["an MCP call streaming progress", (token: string, signal: AbortSignal) =>
      fetch(`${gatehouse}/api/v1/mcp`, { method: "POST", signal, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: 990 }, _meta: { progressToken: "p1", "gatehouse/run_id": "r1" } } }) })],
  ])("%s: is cancelled, not run when approved later; the retry with the approval id runs it once", async (_what, send) => {
    const ctx = await createGatewayTenant(upstream.base, { approval: "always" });
    const approver = await approverOf(ctx.tenant);
    const approval = await abandon(ctx.tenant.id, (signal) => send(ctx.token, signal));
    await voteOnApproval({ actor: approver, approvalId: approval.id, verdict: "approve" });
    const retry = await fetch(`${gatehouse}/api/v1/gateway/stripe/refunds.create`, {
      method: "POST",
      headers: { authorization: `Bearer ${ctx.token}`, "content-type": "application/json" },
      body: JSON.stringify({ run_id: "r1", args: { charge_id: "ch_1", amount_cents: 990 }, approval_id: approval.id }),
    });
    expect(await retry.json()).toMatchObject({ decision: "allow", result: { status: 201 } });
    expect(received).toHaveLength(1);
  });
});

describe("a long poll whose client goes away", () => {
  it("stops waiting for the approval", async () => {
    const ctx = await createGatewayTenant(upstream.base, { approval: "always" });
    const headers = { authorization: `Bearer ${ctx.token}`, "content-type": "application/json" };
    const held = await fetch(`${gatehouse}/api/v1/gateway/stripe/refunds.create`, { method: "POST", headers, body: JSON.stringify({ run_id: "r1", args: { charge_id: "ch_1", amount_cents: 990 } }) });
    const { approval } = (await held.json()) as { approval: { id: string } };
    const controller = new AbortController();
    const poll = fetch(`${gatehouse}/api/v1/approvals/${approval.id}?wait=30`, { headers, signal: controller.signal }).catch(() => "aborted");
    await expect.poll(() => approvalEvents.waiting(approval.id), { timeout: 10_000 }).toBe(1);
    controller.abort();
    expect(await poll).toBe("aborted");
    await expect.poll(() => approvalEvents.waiting(approval.id), { timeout: 10_000 }).toBe(0);
  });
});

describe("the stateless revision (2026-07-28) with @modelcontextprotocol/client 2.x", () => {
  async function connectStateless(token: string, mode: "auto" | { pin: string }) {
    const client = new StatelessClient({ name: "mcp-2026-test", version: "1.0.0" }, { versionNegotiation: { mode } });
    await client.connect(new StatelessTransport(new URL(`${gatehouse}/api/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    return client;
  }

  it("is chosen by a client that probes (server/discover, no handshake), and lists, allows, denies and refuses as the handshake revisions do", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const client = await connectStateless(ctx.token, "auto");
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("stripe__refunds_create");
    const allowed = await client.callTool({ name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: 500 } });
    expect(allowed.isError).toBe(false);
    expect(textOf(allowed)).toMatch(/"id":"re_/);
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["x-api-key"]).toBe(ctx.secret);
    const denied = await client.callTool({ name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: "lots" } });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toMatch(/Gatehouse denied this call:[\s\S]*do not match the schema/);
    await expect(client.callTool({ name: "github__pulls_merge", arguments: { repo: "acme/web" } })).rejects.toThrow(/not in this agent's tools\/list/);
    expect(received).toHaveLength(1);
    await client.close();
  });

  it("waits for an approval with progress on the call's stream, then runs the call once (client pinned to 2026-07-28)", async () => {
    const ctx = await createGatewayTenant(upstream.base, { approval: "always" });
    const approver = await approverOf(ctx.tenant);
    const client = await connectStateless(ctx.token, { pin: "2026-07-28" });
    const progress: { message?: string }[] = [];
    const held = client.callTool({ name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: 975 } }, { onprogress: (p) => void progress.push(p) });
    await expect.poll(() => progress.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const approval = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, status: "pending" } }));
    expect(progress[0]!.message).toContain(approval.id);
    expect(received).toHaveLength(0);
    await voteOnApproval({ actor: approver, approvalId: approval.id, verdict: "approve" });
    expect((await held).isError).toBe(false);
    expect(received).toHaveLength(1);
    await client.close();
  });

  it("announces a publish or a label change that alters the agent's tools/list on its subscriptions/listen stream (the client refreshes its list)", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const changes: string[][] = [];
    const client = new StatelessClient(
      { name: "mcp-2026-listen", version: "1.0.0" },
      { versionNegotiation: { mode: "auto" }, listChanged: { tools: { debounceMs: 0, onChanged: (_error, tools) => void changes.push((tools ?? []).map((t) => t.name).sort()) } } },
    );
    await client.connect(new StatelessTransport(new URL(`${gatehouse}/api/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${ctx.token}` } } }));
    expect(client.autoOpenedSubscription?.honoredFilter).toEqual({ toolsListChanged: true });
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("github__repos_get");
    await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"] }), rule({ tool: "github", operations: ["repos.get"] })]);
    await expect.poll(() => changes.at(-1), { timeout: 10_000 }).toEqual(["github__repos_get", "stripe__refunds_create"]);
    // A label that a group rule matches changes the list too.
    await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"] }), rule({ tool: "github", operations: ["pulls.merge"], groups: ["ops"] })]);
    await expect.poll(() => changes.at(-1), { timeout: 10_000 }).toEqual(["stripe__refunds_create"]);
    await updateAgent({ actor: ctx.owner, agentId: ctx.agent.id, changes: { labels: ["ops"] } });
    await expect.poll(() => changes.at(-1), { timeout: 10_000 }).toEqual(["github__pulls_merge", "stripe__refunds_create"]);
    await client.close();
  });

  const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" } };
  const modern = { "mcp-protocol-version": "2026-07-28" };

  it("acknowledges a listen stream with what it honours, refuses one stream too many for an agent, and ends a suspended agent's", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const listen = (id: number, notifications: unknown, signal?: AbortSignal) =>
      fetch(`${gatehouse}/api/v1/mcp`, {
        method: "POST",
        signal,
        headers: { authorization: `Bearer ${ctx.token}`, "content-type": "application/json", accept: "application/json, text/event-stream", ...modern, "mcp-method": "subscriptions/listen" },
        body: JSON.stringify({ jsonrpc: "2.0", id, method: "subscriptions/listen", params: { notifications, _meta: META } }),
      });
    const eventsOf = async (res: Response) => (await res.text()).split("\n\n").filter((e) => e.startsWith("event:")).map((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)));
    // Nothing Gatehouse has (prompts): acknowledged with an empty filter, then ended.
    expect(await eventsOf(await listen(1, { promptsListChanged: true }))).toMatchObject([
      { method: "notifications/subscriptions/acknowledged", params: { notifications: {}, _meta: { "io.modelcontextprotocol/subscriptionId": 1 } } },
      { id: 1, result: { resultType: "complete", _meta: { "io.modelcontextprotocol/subscriptionId": 1 } } },
    ]);
    const controller = new AbortController();
    const open = await Promise.all(Array.from({ length: 10 }, (_, i) => listen(10 + i, { toolsListChanged: true }, controller.signal)));
    expect(open.map((r) => r.status)).toEqual(Array(10).fill(200));
    const refused = await listen(99, { toolsListChanged: true });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ id: 99, error: { code: -32600 } });
    controller.abort();
    // A stopping server ends the streams it holds, with the listen request's result.
    const held = await listen(2, { toolsListChanged: true });
    const heldEvents = eventsOf(held);
    await expect.poll(() => listenersOpen(ctx.agent.id), { timeout: 10_000 }).toBeGreaterThan(0);
    endListenStreams();
    expect(await heldEvents).toMatchObject([
      { method: "notifications/subscriptions/acknowledged", params: { notifications: { toolsListChanged: true } } },
      { id: 2, result: { resultType: "complete", _meta: { "io.modelcontextprotocol/subscriptionId": 2 } } },
    ]);
    // Closed streams free their places.
    await expect.poll(async () => {
      const again = await listen(100, { toolsListChanged: true }, AbortSignal.timeout(2_000));
      const status = again.status;
      await again.body?.cancel().catch(() => {});
      return status;
    }, { timeout: 10_000 }).toBe(200);
    // A suspended agent's stream ends at once: its token no longer admits it.
    const suspended = await listen(3, { toolsListChanged: true });
    const suspendedEvents = eventsOf(suspended);
    await changeAgentStatus({ actor: ctx.owner, agentId: ctx.agent.id, status: "suspended", reason: "incident drill" });
    expect(await suspendedEvents).toMatchObject([{ method: "notifications/subscriptions/acknowledged" }, { id: 3, result: { resultType: "complete" } }]);
  });

  it("answers server/discover and marks every result complete, with the server named and tools/list cacheable only privately", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const discover = await post(ctx.token, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: META } }), { ...modern, "mcp-method": "server/discover" });
    expect(discover.status).toBe(200);
    expect(await discover.json()).toMatchObject({ result: { resultType: "complete", supportedVersions: ["2026-07-28"], capabilities: { tools: {} }, ttlMs: expect.any(Number), cacheScope: "public", _meta: { "io.modelcontextprotocol/serverInfo": { name: "gatehouse" } } } });
    const list = await post(ctx.token, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: META } }), { ...modern, "mcp-method": "tools/list" });
    const listed = (await list.json()) as { result: Record<string, unknown> };
    expect(listed.result).toMatchObject({ resultType: "complete", ttlMs: 60_000, cacheScope: "private", _meta: { "io.modelcontextprotocol/serverInfo": { name: "gatehouse" } } });
    expect(Object.keys(listed.result).at(-1)).toBe("tools");
  });

  it.each([
    ["a revision it does not speak", { ...META, "io.modelcontextprotocol/protocolVersion": "2027-01-01" }, modern, 400, -32022],
    ["a version header that is not the body's", META, { "mcp-protocol-version": "2025-11-25" }, 400, -32020],
    ["no version header", META, {}, 400, -32020],
    ["a method header that is not the body's", META, { ...modern, "mcp-method": "tools/list", "mcp-name": "stripe__refunds_create" }, 400, -32020],
    ["a tool-name header that is not the body's", META, { ...modern, "mcp-method": "tools/call", "mcp-name": "github__repos_get" }, 400, -32020],
    ["no client capabilities", { "io.modelcontextprotocol/protocolVersion": "2026-07-28" }, { ...modern, "mcp-method": "tools/call", "mcp-name": "stripe__refunds_create" }, 400, -32602],
    ["the 2026-07-28 header without the _meta", undefined, { ...modern, "mcp-method": "tools/call", "mcp-name": "stripe__refunds_create" }, 400, -32602],
  ])("refuses a tools/call with %s, and sends nothing", async (_what, meta, headers, status, code) => {
    const ctx = await createGatewayTenant(upstream.base);
    const body = { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: 5 }, ...(meta && { _meta: meta }) } };
    const res = await post(ctx.token, JSON.stringify(body), headers);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code } });
    expect(received).toHaveLength(0);
  });

  it("accepts a tool name sent base64-encoded in Mcp-Name, and answers ping (gone in 2026-07-28) with 404", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const call = { jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "stripe__refunds_create", arguments: { charge_id: "ch_1", amount_cents: 5 }, _meta: META } };
    const encoded = `=?base64?${Buffer.from("stripe__refunds_create").toString("base64")}?=`;
    const res = await post(ctx.token, JSON.stringify(call), { ...modern, "mcp-method": "tools/call", "mcp-name": encoded });
    expect(await res.json()).toMatchObject({ result: { resultType: "complete", isError: false } });
    const ping = await post(ctx.token, JSON.stringify({ jsonrpc: "2.0", id: 9, method: "ping", params: { _meta: META } }), { ...modern, "mcp-method": "ping" });
    expect(ping.status).toBe(404);
    expect(await ping.json()).toMatchObject({ id: 9, error: { code: -32601 } });
  });
});

describe("bad input", () => {
  it("answers malformed JSON, non-JSON-RPC, batches, unknown methods, wrong Accept and oversized bodies with JSON-RPC errors", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const cases: [string, Record<string, string>, number, number][] = [
      ["{not json", {}, 400, -32700],
      [JSON.stringify({ hello: "world" }), {}, 200, -32600],
      [JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "ping" }]), { "mcp-protocol-version": "2025-06-18" }, 400, -32600],
      [JSON.stringify({ jsonrpc: "2.0", id: 2, method: "resources/list" }), {}, 200, -32601],
      [JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: 7 } }), {}, 200, -32602],
      [JSON.stringify({ jsonrpc: "2.0", id: 4, method: "ping" }), { accept: "text/html" }, 406, -32600],
      [JSON.stringify({ jsonrpc: "2.0", id: 5, method: "ping" }), { "mcp-protocol-version": "1999-01-01" }, 400, -32022],
      [JSON.stringify({ jsonrpc: "2.0", id: 6, method: "ping", params: { pad: "x".repeat(2_000_000) } }), {}, 413, -32600],
    ];
    for (const [body, headers, status, code] of cases) {
      const res = await post(ctx.token, body, headers);
      expect({ body: body.slice(0, 60), status: res.status }).toEqual({ body: body.slice(0, 60), status });
      expect((await res.json()).error.code).toBe(code);
    }
    // Batches are still served on the revision that had them.
    const batch = await post(ctx.token, JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "ping" }, { jsonrpc: "2.0", method: "notifications/initialized" }]), { "mcp-protocol-version": "2025-03-26" });
    expect(await batch.json()).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);
    // A notification is accepted without a body; GET has no stream on a stateless server.
    expect((await post(ctx.token, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }))).status).toBe(202);
    for (const method of ["GET", "DELETE"]) {
      const refused = await fetch(`${gatehouse}/api/v1/mcp`, { method, headers: { authorization: `Bearer ${ctx.token}`, accept: "text/event-stream" } });
      expect({ status: refused.status, allow: refused.headers.get("allow"), code: (await refused.json()).error.code }).toEqual({ status: 405, allow: "POST", code: "method_not_allowed" });
    }
    expect(received).toHaveLength(0);
  });
});

/**
 * The Agents SDK's Model interface, scripted: the first turn calls the tool, the second
 * answers with what the tool returned, so the run's final output is the tool's text.
 */
function scriptedModel(tool: string, args: Record<string, unknown>): Model {
  const usage = new Usage();
  const respond = async (request: ModelRequest): Promise<ModelResponse> => {
    const items = typeof request.input === "string" ? [] : request.input;
    const result = items.find((i) => i.type === "function_call_result");
    if (!result) return { usage, output: [{ type: "function_call", callId: "call_1", name: tool, arguments: JSON.stringify(args), status: "completed" }] };
    return { usage, output: [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: JSON.stringify(result.output) }] }] };
  };
  return {
    getResponse: respond,
    getStreamedResponse: () => {
      throw new Error("not streamed");
    },
  };
}

describe("with the OpenAI Agents SDK (@openai/agents)", () => {
  setTracingDisabled(true);

  async function runAgent(token: string, args: Record<string, unknown>) {
    const server = new MCPServerStreamableHttp({ url: `${gatehouse}/api/v1/mcp`, requestInit: { headers: { authorization: `Bearer ${token}` } } });
    await server.connect();
    try {
      const agent = new Agent({ name: "refunder", instructions: "Refund when asked.", model: scriptedModel("stripe__refunds_create", args), mcpServers: [server] });
      return String((await run(agent, "Refund charge ch_1.")).finalOutput);
    } finally {
      await server.close();
    }
  }

  it("reaches a governed tool: allowed, denied with the reason, and approved then run once", async () => {
    const ctx = await createGatewayTenant(upstream.base, { approval: "always" });
    const approver = await approverOf(ctx.tenant);
    const pending = () => withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findFirst({ where: { tenantId: ctx.tenant.id, status: "pending" } }));
    const approved = runAgent(ctx.token, { charge_id: "ch_1", amount_cents: 900 });
    await expect.poll(async () => (await pending())?.id, { timeout: 10_000 }).toBeTruthy();
    await voteOnApproval({ actor: approver, approvalId: (await pending())!.id, verdict: "approve" });
    expect(await approved).toMatch(/re_/);
    expect(received).toHaveLength(1);

    expect(await runAgent(ctx.token, { charge_id: "ch_1", amount_cents: -5 })).toMatch(/Gatehouse denied this call/);
    await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"] })]);
    expect(await runAgent(ctx.token, { charge_id: "ch_2", amount_cents: 100 })).toMatch(/re_/);
    expect(received).toHaveLength(2);
  });
});

describe("with the Vercel AI SDK MCP client (@ai-sdk/mcp)", () => {
  it("lists the governed tools and executes allow, deny with the reason, and an approval", async () => {
    const ctx = await createGatewayTenant(upstream.base, { approval: "always" });
    const approver = await approverOf(ctx.tenant);
    const client = await createMCPClient({ transport: { type: "http", url: `${gatehouse}/api/v1/mcp`, headers: { authorization: `Bearer ${ctx.token}` } } });
    try {
      const tools = await client.tools();
      expect(Object.keys(tools)).toEqual(["stripe__refunds_create"]);
      const call = (args: Record<string, unknown>) => Promise.resolve(tools.stripe__refunds_create!.execute!(args, { toolCallId: "t1", messages: [], context: {} })) as Promise<Record<string, unknown>>;
      const pending = () => withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.approval.findFirst({ where: { tenantId: ctx.tenant.id, status: "pending" } }));
      const held = call({ charge_id: "ch_1", amount_cents: 900 });
      await expect.poll(async () => (await pending())?.id, { timeout: 10_000 }).toBeTruthy();
      await voteOnApproval({ actor: approver, approvalId: (await pending())!.id, verdict: "approve" });
      const approved = await held;
      expect(approved.isError).toBe(false);
      expect(textOf(approved)).toMatch(/re_/);
      const denied = await call({ charge_id: "ch_1", amount_cents: "lots" });
      expect(denied.isError).toBe(true);
      expect(textOf(denied)).toMatch(/Gatehouse denied this call/);
      await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["refunds.create"] })]);
      expect((await call({ charge_id: "ch_2", amount_cents: 100 })).isError).toBe(false);
      expect(received).toHaveLength(2);
    } finally {
      await client.close();
    }
  });
});
