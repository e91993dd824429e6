import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyIdOf } from "@/scripts/verify-evidence.mjs";
import { GET as openapi } from "@/app/api/v1/openapi.json/route";
import { GET } from "./route";

const ctx = { params: Promise.resolve({}) };

describe("GET /api/v1/evidence/public-key", () => {
  it("publishes the evidence key without authentication, as JWK and PEM, under the id the verifier derives", async () => {
    const res = await GET(new Request("http://x/api/v1/evidence/public-key"), ctx);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { kid: string; alg: string; jwk: Record<string, string>; pem: string; keys: { kid: string; status: string }[] };
    expect(body).toMatchObject({ alg: "Ed25519", jwk: { kty: "OKP", crv: "Ed25519", kid: body.kid } });
    expect(body.keys[0]).toMatchObject({ kid: body.kid, status: "active" });
    expect(keyIdOf(createPublicKey(body.pem))).toBe(body.kid);
    expect(keyIdOf(createPublicKey({ key: body.jwk as never, format: "jwk" }))).toBe(body.kid);
    // The same key on the next call (created once, then reused).
    expect(((await (await GET(new Request("http://x/api/v1/evidence/public-key"), ctx)).json()) as { kid: string }).kid).toBe(body.kid);
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await (await openapi(new Request("http://x/api/v1/openapi.json"), ctx)).json()) as { paths: Record<string, { get?: { responses: Record<string, unknown> } }> };
    expect(doc.paths["/api/v1/evidence/public-key"]?.get?.responses["200"]).toBeDefined();
  });
});
