import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveRoute, type BodyLimits } from "@/lib/http/node-handler";
import { createPolicyTenant, publishRules, rule } from "@/lib/testing/policy";
import { AGENT_API_ROUTES } from "./agent-api-routes";

let server: Server;
let base: string;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A server of the same routes with other body limits, for the time of `use`. */
async function withLimits<T>(limits: BodyLimits, use: (port: number) => Promise<T>): Promise<T> {
  const limited = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res, limits));
  await new Promise<void>((resolve) => limited.listen(0, "127.0.0.1", resolve));
  try {
    return await use((limited.address() as AddressInfo).port);
  } finally {
    limited.closeAllConnections();
    limited.close();
  }
}

/** Writes `data` on a raw socket and resolves with everything the server sent once it ends the connection. */
function rawExchange(data: string, to = port): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(to, "127.0.0.1", () => socket.write(data));
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("utf8")));
    socket.on("end", () => resolve(text));
    socket.on("error", (error) => (text ? resolve(text) : reject(error)));
  });
}

const status = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
const errorCode = (text: string) => (JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as { error: { code: string } }).error.code;
const post = (path: string, headers: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n`;

describe("the agent API server (node:http, same route handlers as Next.js)", () => {
  it("answers decisions, approvals and whoami exactly as the contract says", async () => {
    const { owner, token } = await createPolicyTenant();
    await publishRules(owner, [rule({ tool: "stripe", operations: ["charges.retrieve"] }), rule({ tool: "stripe", operations: ["refunds.create"], approval: { tier: "always" } })]);
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const post = (body: unknown) => fetch(`${base}/api/v1/decisions`, { method: "POST", headers: auth, body: JSON.stringify(body) });

    const allowed = await post({ run_id: "run_srv", tool: "stripe", operation: "charges.retrieve", args: { charge_id: "ch_1" } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("x-request-id")).toMatch(/^req_/);
    expect(allowed.headers.get("server-timing")).toMatch(/^app;dur=\d+\.\d\d$/);
    expect(await allowed.json()).toMatchObject({ decision: "allow", quota: [] });

    const pending = (await (await post({ run_id: "run_srv", tool: "stripe", operation: "refunds.create", args: { charge_id: "ch_1", amount_cents: 5 } })).json()) as { approval: { id: string } };
    const poll = await fetch(`${base}/api/v1/approvals/${pending.approval.id}?wait=1`, { headers: auth });
    expect(await poll.json()).toMatchObject({ id: pending.approval.id, status: "pending" });

    expect((await fetch(`${base}/api/v1/whoami`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/whoami`)).status).toBe(401);
  });

  it("gives bad input the API's error shape and keeps serving", async () => {
    const { token } = await createPolicyTenant();
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const broken = await fetch(`${base}/api/v1/decisions`, { method: "POST", headers: auth, body: "{not json" });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });

    const huge = await fetch(`${base}/api/v1/events`, { method: "POST", headers: auth, body: JSON.stringify({ events: [], pad: "x".repeat(6 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);

    const unknown = await fetch(`${base}/api/v1/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } });
    // A known path with a method it does not serve: 405 naming the one it does; HEAD is served as GET.
    const wrongMethod = await fetch(`${base}/api/v1/decisions`, { method: "PUT", headers: auth, body: "{}" });
    expect({ status: wrongMethod.status, allow: wrongMethod.headers.get("allow"), code: (await wrongMethod.json()).error.code }).toEqual({ status: 405, allow: "POST", code: "method_not_allowed" });
    const head = await fetch(`${base}/api/health`, { method: "HEAD" });
    expect({ status: head.status, body: await head.text() }).toEqual({ status: 200, body: "" });

    // A Host header a Web Request refuses: a 400, not a crashed process.
    const mangled = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/api/health`, { headers: { host: "exa mple:99999" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(mangled).toBe(400);
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
  });
});

// Each exchange sends only part of what it declares: only an answer given without
// waiting for the rest (and a closed connection) ends it.
describe("the agent API server's body limits (raw sockets)", () => {
  it("answers 413 from a declared Content-Length past MAX_BODY_BYTES without waiting for the body", async () => {
    const { token } = await createPolicyTenant();
    const started = Date.now();
    const text = await rawExchange(post("/api/v1/events", `Authorization: Bearer ${token}\r\nContent-Length: ${60 * 1024 * 1024}\r\n`));
    expect(status(text)).toBe(413);
    expect(errorCode(text)).toBe("payload_too_large");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("refuses a large body from a caller without valid credentials before reading it", async () => {
    const text = await rawExchange(`${post("/api/v1/events", `Authorization: Bearer nope\r\nContent-Length: ${4 * 1024 * 1024}\r\n`)}{`);
    expect(status(text)).toBe(401);
    expect(errorCode(text)).toBe("invalid_token");
  });

  it("refuses an unsized (chunked) body from a caller without credentials before reading it", async () => {
    const text = await rawExchange(`${post("/api/v1/decisions", "Transfer-Encoding: chunked\r\n")}1\r\n{\r\n`);
    expect(status(text)).toBe(401);
  });

  it("answers 413 once a chunked body passes the cap, and closes the connection", async () => {
    const { token } = await createPolicyTenant();
    const chunk = "x".repeat(600);
    const text = await withLimits({ maxBytes: 1024, timeoutMs: 5_000 }, (to) =>
      rawExchange(`${post("/api/v1/decisions", `Authorization: Bearer ${token}\r\nTransfer-Encoding: chunked\r\n`)}258\r\n${chunk}\r\n258\r\n${chunk}\r\n`, to),
    );
    expect(status(text)).toBe(413);
    expect(text.toLowerCase()).toContain("connection: close");
  });

  it("answers 408 in the error shape when a body does not arrive in time", async () => {
    const { token } = await createPolicyTenant();
    const text = await withLimits({ maxBytes: 1024 * 1024, timeoutMs: 300 }, (to) =>
      rawExchange(`${post("/api/v1/decisions", `Authorization: Bearer ${token}\r\nContent-Length: 100\r\n`)}{"run_id":`, to),
    );
    expect(status(text)).toBe(408);
    expect(errorCode(text)).toBe("request_timeout");
  });

  it("gives NUL, lone surrogates, malformed %-escapes and absurd lengths in path ids a 404 in the error shape", async () => {
    const { token } = await createPolicyTenant();
    for (const path of ["/api/v1/runs/run%00x", "/api/v1/runs/%E0%A4%A/events", "/api/v1/approvals/apr%00", "/api/v1/approvals/%ED%A0%80", `/api/v1/runs/${"r".repeat(5000)}`]) {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });
});
