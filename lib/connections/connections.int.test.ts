/**
 * The vault's services against Postgres and a real upstream that checks the credential:
 * write-only views and audit entries, rotation with overlap, disable, delete while used,
 * OAuth 2.0 client credentials fetched once (also for concurrent calls), cached, renewed
 * and fetched again after a refusal, coverage.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startDecisionsWorker, type DecisionsWorker } from "@/lib/testing/decisions-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateAgent } from "@/lib/agents/authenticate-agent";
import { withTenant } from "@/lib/db/tenant";
import { gatewayChanged } from "@/lib/gateway/gateway-state";
import { sealSecret } from "@/lib/secrets/envelope";
import { callTool } from "@/lib/gateway/call-tool";
import { AppError } from "@/lib/errors";
import { capabilityReport } from "@/lib/policy/capability-report";
import { closeQueues } from "@/lib/queue/registry";
import { uniq } from "@/lib/testing/factories";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { listTools } from "@/lib/tools/list-tools";
import { updateOperation } from "@/lib/tools/update-operation";
import { updateTool } from "@/lib/tools/update-tool";
import { createConnection } from "./create-connection";
import { deleteConnection } from "./delete-connection";
import { listConnections } from "./list-connections";
import { rotateConnection } from "./rotate-connection";
import { createConnectionInput, secretContext } from "./schemas";
import { testConnection } from "./test-connection";
import { updateConnection } from "./update-connection";

process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";

/** Accepts only the keys in `accepted` (X-Api-Key or a Bearer token); /token issues OAuth tokens. */
const accepted = new Set<string>();
let tokenRequests = 0;
let upstreamRequests = 0;
let server: Server;
let base: string;
let worker: DecisionsWorker;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/token") {
        tokenRequests++;
        const form = new URLSearchParams(body);
        if (!accepted.has(form.get("client_secret") ?? "")) return void res.writeHead(401).end(JSON.stringify({ error: "invalid_client" }));
        // Scope "crlf": a token endpoint that sends a token no header can carry.
        const token = form.get("scope") === "crlf" ? `at_${uniq()}\r\nX-Injected: 1` : `at_${uniq()}`;
        // Scope "null": a token endpoint that answers 200 with the JSON null.
        if (form.get("scope") === "null") return void res.end("null");
        accepted.add(token);
        // A slow endpoint, so calls that need a token meanwhile are under way together; scope "short" gets a 10-second token.
        const expiresIn = form.get("scope") === "short" ? 10 : 3600;
        return void setTimeout(() => res.end(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: expiresIn })), 50);
      }
      upstreamRequests++;
      const key = req.headers["x-api-key"] ?? String(req.headers.authorization ?? "").replace(/^Bearer /, "");
      if (!accepted.has(String(key))) return void res.writeHead(401).end(JSON.stringify({ error: "bad key" }));
      res.writeHead(201).end(JSON.stringify({ id: `re_${uniq()}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  worker = startDecisionsWorker(4);
});
afterAll(async () => {
  await worker.close();
  await closeQueues();
  await new Promise((r) => server.close(r));
});

async function setup(kind: "api_key" | "oauth2_client_credentials" = "api_key") {
  const ctx = await createPolicyTenant();
  const secret = `secret_${uniq()}${uniq()}`;
  accepted.add(secret);
  const host = new URL(base).host;
  const connection = await createConnection({
    actor: ctx.owner,
    request:
      kind === "api_key"
        ? { name: `c-${uniq()}`, kind, headerName: "X-Api-Key", secret, allowedHosts: [host] }
        : { name: `c-${uniq()}`, kind, clientId: "gatehouse", tokenUrl: `${base}/token`, secret, allowedHosts: [host] },
  });
  const stripe = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.tool.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, name: "stripe" }, include: { operations: true } }));
  await updateTool({ actor: ctx.owner, toolId: stripe.id, changes: { upstream: { kind: "http", baseUrl: base, connectionId: connection.id, timeoutMs: 2000, maxResponseBytes: 65536 } } });
  const op = stripe.operations.find((o) => o.name === "refunds.create")!;
  await updateOperation({ actor: ctx.owner, toolId: stripe.id, operationId: op.id, changes: { http: { method: "POST", path: "/v1/refunds" } } });
  await publishRules(ctx.owner, [rule({ tool: "stripe", operations: ["*"] })]);
  const agent = await authenticateAgent(`Bearer ${ctx.token}`);
  const call = () => callTool({ agent, tool: "stripe", operation: "refunds.create", request: { run_id: "run_c", args: { charge_id: "ch_1", amount_cents: 5 } } });
  return { ...ctx, secret, connection, stripe, call };
}

const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof AppError ? e.code : String(e)));

describe("connections", () => {
  it("stores the secret sealed; views and audit entries never carry it", async () => {
    const ctx = await setup();
    const row = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.connection.findUniqueOrThrow({ where: { id: ctx.connection.id } }));
    expect(row.sealedSecret).toMatch(/^gh1\./);
    expect(row.sealedSecret).not.toContain(ctx.secret);
    expect(ctx.connection).toMatchObject({ secret: "set", keyId: expect.any(String), kind: "api_key", headerName: "X-Api-Key", status: "active" });
    const [listed] = await listConnections({ tenantId: ctx.tenant.id });
    expect(listed!.usedBy).toEqual([{ toolId: ctx.stripe.id, toolName: "stripe" }]);
    const audit = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.auditEntry.findMany({ where: { tenantId: ctx.tenant.id, targetType: "connection" } }));
    expect(audit.map((a) => a.action)).toEqual(["connection.created"]);
    expect(JSON.stringify([audit.map((a) => [a.before, a.after]), listed])).not.toContain(ctx.secret);
    expect(await codeOf(createConnection({ actor: ctx.owner, request: { name: listed!.name, kind: "bearer", secret: "x", allowedHosts: ["a.example"] } }))).toBe("conflict");
  });

  it("validates what each kind needs", () => {
    expect(createConnectionInput.safeParse({ name: "k", kind: "api_key", secret: "s", allowedHosts: ["a.example"] }).success).toBe(false);
    expect(createConnectionInput.safeParse({ name: "k", kind: "basic", secret: "s", allowedHosts: ["a.example"] }).success).toBe(false);
    expect(createConnectionInput.safeParse({ name: "k", kind: "bearer", secret: "s", allowedHosts: [] }).success).toBe(false);
    expect(createConnectionInput.safeParse({ name: "k", kind: "bearer", secret: "s", allowedHosts: ["https://a.example/x"] }).success).toBe(false);
    expect(createConnectionInput.safeParse({ name: "k", kind: "bearer", secret: "s", allowedHosts: ["A.example:8443"] }).data?.allowedHosts).toEqual(["a.example:8443"]);
    for (const headerName of ["Host", "content-length", "Transfer-Encoding", "Content-Type"])
      expect(createConnectionInput.safeParse({ name: "k", kind: "api_key", headerName, secret: "s", allowedHosts: ["a.example"] }).error?.issues[0]?.path).toEqual(["headerName"]);
  });

  it("refuses a secret an HTTP header cannot carry; one saved before that check fails its calls clearly, and nothing is sent", async () => {
    const parsed = createConnectionInput.safeParse({ name: "k", kind: "bearer", secret: "sk_live_1\n", allowedHosts: ["a.example"] });
    expect(parsed.error?.issues[0]).toMatchObject({ path: ["secret"], message: expect.stringContaining("line break") });
    expect(createConnectionInput.safeParse({ name: "k", kind: "api_key", headerName: "X-Api-Key", secret: "sk_live_1 ", allowedHosts: ["a.example"] }).error?.issues[0]?.path).toEqual(["secret"]);
    // Basic auth and OAuth client secrets travel encoded, so any character goes.
    expect(createConnectionInput.safeParse({ name: "k", kind: "basic", username: "u", secret: "p\n€", allowedHosts: ["a.example"] }).success).toBe(true);
    const ctx = await setup();
    await expect(rotateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, secret: `${ctx.secret}\r\n`, overlapSeconds: 0 })).rejects.toMatchObject({ code: "validation_failed" });
    await withTenant({ tenantId: ctx.tenant.id }, (tx) =>
      tx.connection.update({ where: { id: ctx.connection.id }, data: { sealedSecret: sealSecret(`${ctx.secret}\n`, secretContext(ctx.tenant.id, ctx.connection.id)) } }),
    );
    await gatewayChanged(ctx.tenant.id);
    const sentBefore = upstreamRequests;
    await expect(ctx.call()).rejects.toMatchObject({ code: "upstream_unreachable", message: expect.stringContaining("line break") });
    expect(upstreamRequests).toBe(sentBefore);
  });

  it("rotates: with an overlap the previous secret still works while the upstream has not taken the new one; without, only the new one", async () => {
    const ctx = await setup();
    const next = `secret_${uniq()}`;
    // The upstream does not know the new key yet: the overlap keeps calls working.
    const rotated = await rotateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, secret: next, overlapSeconds: 600 });
    expect(rotated.previousValidUntil).not.toBeNull();
    expect(rotated.keyId).toBe(ctx.connection.keyId);
    expect((await ctx.call()).result).toMatchObject({ status: 201 });
    // Rotated again without overlap: the old key is gone, and the upstream refuses the unknown new one.
    const last = `secret_${uniq()}`;
    await rotateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, secret: last, overlapSeconds: 0 });
    expect((await ctx.call()).result).toMatchObject({ status: 401 });
    accepted.add(last);
    expect((await ctx.call()).result).toMatchObject({ status: 201 });
    const audit = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.auditEntry.findMany({ where: { tenantId: ctx.tenant.id, action: "connection.rotated" } }));
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit.map((a) => [a.before, a.after]))).not.toContain(next);
  });

  it("tests the credential against the upstream and keeps the result", async () => {
    const ctx = await setup();
    expect(await testConnection({ actor: ctx.owner, connectionId: ctx.connection.id })).toMatchObject({ ok: true, status: 201 });
    accepted.delete(ctx.secret);
    expect(await testConnection({ actor: ctx.owner, connectionId: ctx.connection.id })).toMatchObject({ ok: false, status: 401, message: "The upstream refused the credential." });
    const [listed] = await listConnections({ tenantId: ctx.tenant.id });
    expect(listed).toMatchObject({ lastTestOk: false, lastTestMessage: "The upstream refused the credential.", lastTestedAt: expect.any(String) });
    // A URL outside the connection's hosts is never sent the credential.
    expect(await testConnection({ actor: ctx.owner, connectionId: ctx.connection.id, url: "http://127.0.0.1:9/elsewhere" })).toMatchObject({ ok: false, message: "The URL's host is not allowed for this request." });
  });

  it("disabling makes the tool advisory and the gateway refuses to execute; delete is refused while a tool uses it", async () => {
    const ctx = await setup();
    const coverage = async () => (await listTools({ tenantId: ctx.tenant.id })).find((t) => t.name === "stripe")!.coverage;
    expect(await coverage()).toBe("enforced");
    const report = await capabilityReport({ tenantId: ctx.tenant.id });
    expect(report.grants.find((g) => g.tool === "stripe")).toMatchObject({ coverage: "enforced" });
    expect(report.agents).toEqual([{ agentId: ctx.agent.id, coverage: "enforced" }]); // its policy allows stripe only
    await updateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, changes: { status: "disabled" } });
    expect(await coverage()).toBe("advisory");
    expect((await capabilityReport({ tenantId: ctx.tenant.id })).agents).toEqual([{ agentId: ctx.agent.id, coverage: "advisory" }]);
    await expect.poll(() => codeOf(ctx.call()), { timeout: 5000 }).toBe("conflict");
    expect(await codeOf(deleteConnection({ actor: ctx.owner, connectionId: ctx.connection.id }))).toBe("conflict");
    await updateTool({ actor: ctx.owner, toolId: ctx.stripe.id, changes: { upstream: null } });
    await deleteConnection({ actor: ctx.owner, connectionId: ctx.connection.id });
    expect(await listConnections({ tenantId: ctx.tenant.id })).toEqual([]);
  });

  it("fetches an OAuth 2.0 client-credentials token once, caches it in memory, and sends it as a bearer token", async () => {
    const ctx = await setup("oauth2_client_credentials");
    const before = tokenRequests;
    // Calls that need the token while it is being fetched share that one request.
    for (const answer of await Promise.all([ctx.call(), ctx.call(), ctx.call()])) expect(answer.result).toMatchObject({ status: 201 });
    expect((await ctx.call()).result).toMatchObject({ status: 201 });
    expect(tokenRequests - before).toBe(1);
    // A rotated client secret fetches a new token.
    const next = `secret_${uniq()}`;
    accepted.add(next);
    await rotateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, secret: next, overlapSeconds: 0 });
    expect((await ctx.call()).result).toMatchObject({ status: 201 });
    expect(tokenRequests - before).toBe(2);
    // An edited scope fetches a new token; one that lives 10 s is renewed at half its life, not on every call.
    await updateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, changes: { scopes: "short" } });
    expect((await ctx.call()).result).toMatchObject({ status: 201 });
    expect((await ctx.call()).result).toMatchObject({ status: 201 });
    expect(tokenRequests - before).toBe(3);
    // A token the authorization server revoked before its expiry is refused once; the next call fetches another.
    for (const key of [...accepted]) if (key.startsWith("at_")) accepted.delete(key);
    expect((await ctx.call()).result).toMatchObject({ status: 401 });
    expect((await ctx.call()).result).toMatchObject({ status: 201 });
    expect(tokenRequests - before).toBe(4);
    // Refused again within the minute: the refusal is the setup's, so no new token per call.
    for (const key of [...accepted]) if (key.startsWith("at_")) accepted.delete(key);
    expect((await ctx.call()).result).toMatchObject({ status: 401 });
    expect((await ctx.call()).result).toMatchObject({ status: 401 });
    expect(tokenRequests - before).toBe(4);
    // A token that would split the request's headers is never sent.
    await updateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, changes: { scopes: "crlf" } });
    const sentBefore = upstreamRequests;
    await expect(ctx.call()).rejects.toMatchObject({ code: "upstream_unreachable", message: expect.stringContaining("access token") });
    // Any JSON may come back from a token endpoint; null is no token, not a crash.
    await updateConnection({ actor: ctx.owner, connectionId: ctx.connection.id, changes: { scopes: "null" } });
    await expect(ctx.call()).rejects.toMatchObject({ code: "upstream_unreachable", message: expect.stringContaining("without an access token") });
    expect(upstreamRequests).toBe(sentBefore);
  });
});
