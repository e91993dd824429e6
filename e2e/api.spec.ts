import { expect, test } from "@playwright/test";

// The machine API frame: every answer under /api/v1 is the documented JSON error shape.
test("unknown /api/v1 routes answer a JSON 404 for every method", async ({ request }) => {
  for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
    const res = await request.fetch("/api/v1/no/such/route", { method, data: method === "GET" ? undefined : Buffer.from("{not json") });
    expect(res.status(), method).toBe(404);
    expect(res.headers()["content-type"]).toContain("application/json");
    expect(res.headers()["x-request-id"]).toMatch(/^req_/);
    expect((await res.json()).error.code).toBe("not_found");
  }
});

test("agent routes answer 401 in the error shape without a valid token", async ({ request }) => {
  for (const authorization of [undefined, "Bearer nope", "Basic abc"]) {
    const res = await request.get("/api/v1/whoami", { headers: authorization ? { authorization } : {} });
    expect(res.status()).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "invalid_token", message: "The access token is missing, invalid or expired." } });
  }
});

test("JSON routes answer malformed, mistyped, oversized and wrongly typed bodies with 400/413/415, never 500", async ({ request }) => {
  const url = "/api/console/signup";
  const malformed = await request.post(url, { headers: { "content-type": "application/json" }, data: Buffer.from('{"name": ') });
  expect(malformed.status()).toBe(400);
  expect((await malformed.json()).error.code).toBe("malformed_json");

  const mistyped = await request.post(url, { data: { name: 1, email: "not-an-email", password: true } });
  expect(mistyped.status()).toBe(400);
  const body = await mistyped.json();
  expect(body.error.code).toBe("validation_failed");
  expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(["name", "email", "password", "tenantName"]));

  const oversized = await request.post(url, { headers: { "content-type": "application/json" }, data: Buffer.from(JSON.stringify({ name: "x".repeat(6 * 1024 * 1024) })) });
  expect(oversized.status()).toBe(413);
  expect((await oversized.json()).error.code).toBe("payload_too_large");

  const wrongType = await request.post(url, { headers: { "content-type": "text/plain" }, data: Buffer.from("{}") });
  expect(wrongType.status()).toBe(415);
});

test("health and OpenAPI are served", async ({ request }) => {
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok", checks: { postgres: { ok: true }, redis: { ok: true } } });
  const doc = await request.get("/api/v1/openapi.json");
  expect((await doc.json()).openapi).toBe("3.1.0");
});

test("MCP discovery is served on the console's origin: the 401 challenge names the resource metadata, which names the token endpoint", async ({ request, baseURL }) => {
  const unauthenticated = await request.post("/api/v1/mcp", { headers: { accept: "application/json, text/event-stream" }, data: { jsonrpc: "2.0", id: 1, method: "ping" } });
  expect(unauthenticated.status()).toBe(401);
  const challenge = unauthenticated.headers()["www-authenticate"] ?? "";
  const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
  expect(metadataUrl).toMatch(/\/\.well-known\/oauth-protected-resource\/api\/v1\/mcp$/);
  for (const path of ["/.well-known/oauth-protected-resource", new URL(metadataUrl!).pathname]) {
    const resource = await request.get(path);
    expect(resource.status(), path).toBe(200);
    expect(await resource.json()).toMatchObject({ resource: `${baseURL}/api/v1/mcp`, authorization_servers: [expect.any(String)] });
  }
  const server = await request.get("/.well-known/oauth-authorization-server");
  expect(server.status()).toBe(200);
  expect((await server.json()).token_endpoint).toMatch(/\/api\/v1\/oauth\/token$/);
});
