/**
 * A small agent written against a client generated from /api/v1/openapi.json
 * (openapi-typescript + openapi-fetch), using every machine endpoint. It is never run: the
 * test lib/api/generated-client.test.ts generates the types and type-checks this file, so a
 * document that stops describing what agents send and read fails `npm test`.
 * Excluded from the project's tsconfig: "@gatehouse/openapi" exists only once generated.
 */
import createClient from "openapi-fetch";
import type { paths } from "@gatehouse/openapi";

export async function agent(baseUrl: string, clientId: string, clientSecret: string): Promise<string[]> {
  const gh = createClient<paths>({ baseUrl });
  const seen: string[] = [];

  const health = await gh.GET("/api/health");
  if (health.data) seen.push(health.data.status, String(health.data.checks.postgres.ok));
  const jwks = await gh.GET("/api/v1/oauth/jwks");
  if (jwks.data) seen.push(String(jwks.data.keys.length));
  const evidenceKey = await gh.GET("/api/v1/evidence/public-key");
  if (evidenceKey.data) seen.push(JSON.stringify(evidenceKey.data));
  await gh.GET("/api/v1/openapi.json");
  // MCP discovery, as an MCP client does it before its first call.
  for (const metadata of [
    await gh.GET("/.well-known/oauth-protected-resource/api/v1/mcp"),
    await gh.GET("/.well-known/oauth-protected-resource"),
    await gh.GET("/.well-known/oauth-authorization-server"),
  ]) {
    if (metadata.data) seen.push(Object.keys(metadata.data).join());
  }

  const token = await gh.POST("/api/v1/oauth/token", {
    body: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  if (!token.data) throw new Error(token.error?.error_description ?? "no token");
  const accessToken: string = token.data.access_token;
  const expiresIn: number = token.data.expires_in;
  seen.push(String(expiresIn));
  const auth = { headers: { authorization: `Bearer ${accessToken}` } };

  const me = await gh.GET("/api/v1/whoami", auth);
  const agentId: string | undefined = me.data?.agent_id;
  if (me.error) seen.push(me.error.error.code);

  const runId = `run_${Date.now()}`;
  const decision = await gh.POST("/api/v1/decisions", { ...auth, body: { run_id: runId, tool: "stripe", operation: "refunds.create", args: { charge_id: "ch_1", amount_cents: 500 } } });
  if (decision.data?.decision === "pending_approval" && decision.data.approval) {
    const status = await gh.GET("/api/v1/approvals/{approval_id}", { ...auth, params: { path: { approval_id: decision.data.approval.id }, query: { wait: 30 } } });
    const state: "pending" | "approved" | "denied" | "expired" | "cancelled" | undefined = status.data?.status;
    seen.push(state ?? "unknown", String(status.data?.required_approvals));
  }
  for (const reason of decision.data?.reasons ?? []) seen.push(reason.code);

  const call = await gh.POST("/api/v1/gateway/{tool}/{operation}", {
    ...auth,
    params: { path: { tool: "stripe", operation: "refunds.create" } },
    body: { run_id: runId, args: { charge_id: "ch_1", amount_cents: 500 }, wait: 10 },
  });
  if (call.data?.result) seen.push(String(call.data.result.status), call.data.result.event_id, ...call.data.result.side_effects.map((s) => s.object_type));
  if (call.error) seen.push(call.error.error.code);

  const mcp = await gh.POST("/api/v1/mcp", { ...auth, body: { jsonrpc: "2.0", id: 1, method: "tools/list" } });
  seen.push(JSON.stringify(mcp.data));

  const pushed = await gh.POST("/api/v1/events", {
    ...auth,
    body: { events: [{ id: "e1", run_id: runId, type: "log", level: "info", message: "refund issued" }] },
  });
  if (pushed.data) seen.push(String(pushed.data.accepted), String(pushed.data.duplicates), ...pushed.data.rejected.map((r) => r.error.code));

  await gh.POST("/api/v1/otlp/v1/traces", { ...auth, body: new Uint8Array(), bodySerializer: (body) => body as Uint8Array, headers: { "content-type": "application/x-protobuf" } });

  const run = await gh.GET("/api/v1/runs/{run_id}", { ...auth, params: { path: { run_id: runId } } });
  if (run.data) seen.push(run.data.status, run.data.agent.id);
  let after: string | undefined;
  do {
    const page = await gh.GET("/api/v1/runs/{run_id}/events", { ...auth, params: { path: { run_id: runId }, query: { limit: 500, ...(after && { after }) } } });
    if (!page.data) break;
    seen.push(String(page.data.events.length));
    after = page.data.next ?? undefined;
  } while (after);

  return [...seen, agentId ?? ""];
}
