import { SignJWT, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { signAgentToken } from "@/lib/agents/agent-token";
import { ensureSigningKey, publicJwks, rotateSigningKey } from "@/lib/agents/signing-keys";
import { createTestAgent, createTestCredential, createTestTenant } from "@/lib/testing/factories";
import { GET as whoami } from "@/app/api/v1/whoami/route";
import { GET as unknownGet, POST as unknownPost } from "@/app/api/v1/[...path]/route";
import { GET as health } from "@/app/api/health/route";
import { GET as openapi } from "@/app/api/v1/openapi.json/route";
import { agentRoute } from "@/lib/http/route";

const ctx = (params: Record<string, string | string[]> = {}) => ({ params: Promise.resolve(params) });
const bearer = (token: string) => new Request("http://x/api/v1/whoami", { headers: { authorization: `Bearer ${token}` } });

async function agentWithToken(status: "active" | "suspended" | "decommissioned" = "active") {
  await ensureSigningKey();
  const { tenant, owner } = await createTestTenant();
  const agent = await createTestAgent(tenant.id, owner.user.id, { status });
  const credential = await createTestCredential(tenant.id, agent.id);
  const { token } = await signAgentToken({ agentId: agent.id, tenantId: tenant.id, credentialId: credential.id, ttlSeconds: 60 });
  return { tenant, agent, credential, token };
}

describe("agent-authenticated routes", () => {
  it("accepts a valid token and attributes the call to its agent", async () => {
    const { agent, tenant, token } = await agentWithToken();
    const res = await whoami(bearer(token), ctx());
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(await res.json()).toMatchObject({ agent_id: agent.id, tenant_id: tenant.id, agent_name: agent.name });
  });

  it("answers 401 in the error shape for missing, malformed, forged and expired tokens", async () => {
    const { agent, tenant, credential } = await agentWithToken();
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT({ tid: tenant.id }).setProtectedHeader({ alg: "ES256", kid: "key_forged" }).setSubject(agent.id).setJti("j").setIssuer("gatehouse").setAudience("gatehouse-api").setExpirationTime("1m").sign(privateKey);
    const expired = await signAgentToken({ agentId: agent.id, tenantId: tenant.id, credentialId: credential.id, ttlSeconds: -10 });
    for (const req of [new Request("http://x/api/v1/whoami"), bearer("not-a-jwt"), bearer(forged), bearer(expired.token)]) {
      const res = await whoami(req, ctx());
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: "invalid_token", message: "The access token is missing, invalid or expired." } });
    }
  });

  it("answers 401 when the token names an agent of another tenant", async () => {
    const { agent, credential } = await agentWithToken();
    const other = await createTestTenant();
    const { token } = await signAgentToken({ agentId: agent.id, tenantId: other.tenant.id, credentialId: credential.id, ttlSeconds: 60 });
    expect((await whoami(bearer(token), ctx())).status).toBe(401);
  });

  it("answers 403 for suspended and decommissioned agents", async () => {
    for (const status of ["suspended", "decommissioned"] as const) {
      const { token } = await agentWithToken(status);
      const res = await whoami(bearer(token), ctx());
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(`agent_${status}`);
    }
  });

  it("keeps verifying tokens signed before a key rotation", async () => {
    const { token } = await agentWithToken();
    await rotateSigningKey();
    expect((await whoami(bearer(token), ctx())).status).toBe(200);
    expect((await publicJwks()).keys.length).toBeGreaterThanOrEqual(2);
  });

  it("validates bodies: 415, 400 malformed, 400 with paths, 413", async () => {
    const { token } = await agentWithToken();
    const echo = agentRoute({ body: z.object({ n: z.number(), tags: z.array(z.string()) }) }, async ({ body }) => body);
    const post = (body: string, type = "application/json") =>
      echo(new Request("http://x/api/v1/echo", { method: "POST", body, headers: { authorization: `Bearer ${token}`, "content-type": type } }), ctx());

    expect((await post('{"n":1,"tags":["a"]}')).status).toBe(200);
    expect((await post("{}", "text/plain")).status).toBe(415);
    const malformed = await post('{"n":');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("malformed_json");
    const invalid = await post('{"n":"one","tags":[1]}');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: "validation_failed", details: [{ path: "n" }, { path: "tags.0" }] } });
    expect((await post(JSON.stringify({ n: 1, tags: ["x".repeat(6 * 1024 * 1024)] }))).status).toBe(413);
  });
});

describe("public routes", () => {
  it("answers unknown /api/v1 paths with a JSON 404 for every method", async () => {
    for (const handler of [unknownGet, unknownPost]) {
      const res = await handler(new Request("http://x/api/v1/does/not/exist", { method: "POST" }), ctx({ path: ["does", "not", "exist"] }));
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
  });

  it("reports Postgres and Redis health", async () => {
    const res = await health(new Request("http://x/api/health"), ctx());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", checks: { postgres: { ok: true }, redis: { ok: true } } });
  });

  it("serves an OpenAPI 3.1 document generated from the zod schemas", async () => {
    const res = await openapi(new Request("http://x/api/v1/openapi.json"), ctx());
    type Doc = {
      openapi: string;
      components: { schemas: Record<string, { properties?: object }> };
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
    };
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toBe("3.1.0");
    const resolve = (status: string) => {
      const ref = doc.paths["/api/v1/whoami"]!.get!.responses[status]!.content!["application/json"]!.schema.$ref!;
      return doc.components.schemas[ref.replace("#/components/schemas/", "")]!;
    };
    expect(resolve("200").properties).toHaveProperty("agent_id");
    expect(resolve("401").properties).toHaveProperty("error");
  });
});
