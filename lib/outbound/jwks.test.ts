import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWK } from "jose";
import { remoteJwks } from "./jwks";

let server: http.Server;
let base = "";
const hits: string[] = [];
let token = "";
const published: JWK[] = [];

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  published.push({ ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" });
  token = await new SignJWT({}).setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuer("ci").setExpirationTime("5m").sign(privateKey);
  server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url?.startsWith("/redirect")) return res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
    if (req.url?.startsWith("/huge")) return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published, pad: "x".repeat(200_000) }));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  delete process.env.OUTBOUND_ALLOW_HOSTS;
});

describe("remoteJwks (federated credentials' jwksUrl)", () => {
  it("does not fetch a key set from an internal address unless the operator allows it", async () => {
    await expect(jwtVerify(token, remoteJwks(`${base}/blocked/jwks.json`))).rejects.toMatchObject({ name: "OutboundError", code: "blocked_address" });
    expect(hits.filter((h) => h.startsWith("/blocked"))).toEqual([]);

    process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
    const { payload } = await jwtVerify(token, remoteJwks(`${base}/allowed/jwks.json`));
    expect(payload.iss).toBe("ci");
  });

  it("does not follow a redirect, and refuses an oversized key set", async () => {
    process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
    await expect(jwtVerify(token, remoteJwks(`${base}/redirect/jwks.json`))).rejects.toThrow(/Expected 200 OK/);
    expect(hits.filter((h) => h.startsWith("/redirect"))).toHaveLength(1);
    await expect(jwtVerify(token, remoteJwks(`${base}/huge/jwks.json`))).rejects.toMatchObject({ name: "OutboundError", code: "too_large" });
  });
});
