/**
 * Hostile input against every operation of the OpenAPI document, on both servers: the
 * Next.js route handlers called in-process and the agent API server over HTTP. API.md:
 * a 500 is always a bug, and every error answers in the error shape.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as openapi from "@/app/api/v1/openapi.json/route";
import { serveRoute } from "@/lib/http/node-handler";
import { seedEvents } from "@/lib/testing/evidence";
import { createPolicyTenant } from "@/lib/testing/policy";
import { AGENT_API_ROUTES, HANDLERS } from "./agent-api-routes";
import { errorBody } from "@/lib/api/contract";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** The handler Next.js serves an operation with (its route module's export). */
const handlerOf = (op: { method: string; path: string }) => HANDLERS.get(`${op.method.toUpperCase()} ${op.path}`) as Handler | undefined;

/** Query parameters some operation reads (the document does not list them), and one none reads. */
const QUERY_NAMES = ["wait", "after", "limit", "before", "unknown"];

type JsonSchema = { $ref?: string; properties?: Record<string, unknown> };
type Operation = { method: string; path: string; contentType?: string; fields: string[] };

const HOSTILE_STRINGS = [
  "\u0000",
  "run\u0000x",
  "\ud800",
  "x\udc00",
  "\udfff\ud800",
  "%",
  "%E0%A4%A",
  "%zz",
  "%00",
  "%ED%A0%80",
  "../..",
  "",
  " ",
  "9999999999999999999",
  "-1",
  "1e308",
  "0000-01-01T00:00:00.000Z",
  "2026-13-01T00:00:00.000Z",
  Buffer.from("2026-01-01T00:00:00.000Z|9999999999999999999").toString("base64url"),
  Buffer.from("2026-13-01T00:00:00.000Z|1").toString("base64url"),
  Buffer.from("0000-01-01T00:00:00.000Z|1").toString("base64url"),
  "a".repeat(5_000),
];

const hostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: "binary", maxLength: 30 }));
const hostileNumber = fc.oneof(fc.constantFrom(1e308, -1e308, 2 ** 64, Number.MAX_SAFE_INTEGER + 2, -0, 0.5, -1), fc.integer(), fc.double({ noNaN: true }));
const leaf = fc.oneof(hostileString, hostileNumber, fc.constantFrom(true, false, null));
/** Nested up to 100 deep (deeper is refused by the body's depth check). */
const deep = fc.tuple(fc.integer({ min: 1, max: 100 }), fc.boolean(), leaf).map(([depth, arrays, inner]) => {
  let value: unknown = inner;
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
});
const jsonValue = fc.oneof(leaf, deep, fc.array(leaf, { maxLength: 4 }), fc.dictionary(hostileString, leaf, { maxKeys: 4 }));

/** A body: the operation's fields with wrong or hostile values plus unknown ones, or not JSON at all. */
const hostileBody = (fields: string[]) =>
  fc.oneof(
    fc.record(Object.fromEntries(fields.map((f) => [f, jsonValue])), { requiredKeys: [] }).chain((known) =>
      fc.dictionary(hostileString, jsonValue, { maxKeys: 3 }).map((unknown) => JSON.stringify({ ...unknown, ...known })),
    ),
    jsonValue.map((v) => JSON.stringify(v) ?? "null"),
    fc.constantFrom("", "{", "[".repeat(100), "{\"a\":", "\u0000", "null", "grant_type=client_credentials&client_id=%00&client_secret=x", "client_id=%ED%A0%80"),
    fc.string({ unit: "binary", maxLength: 60 }),
  );

const contentType = fc.constantFrom(
  undefined,
  "application/json",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "application/x-protobuf",
  "multipart/form-data; boundary=x",
  "application/vnd.api+json",
);

/** A query string built by hand, so malformed %-escapes reach the server as sent. */
const hostileQuery = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.oneof(hostileString.map(safeEncode), fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "%ED%A0%80"))), { maxLength: 3 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&"));

/** A path segment as sent on the wire: encoded hostile text, malformed %-escapes, or an id that exists (so its query is read). */
const wireSegment = (existing: string) =>
  fc.oneof(hostileString.map(safeEncode), fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "%ED%A0%80", "a%2Fb"), fc.constant(existing));

function safeEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%ED%A0%80"; // a lone surrogate has no UTF-8 form: send the bytes of one
  }
}

function operations(doc: { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>; components: { schemas: Record<string, JsonSchema> } }): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const [type, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      let schema = media?.schema;
      if (schema?.$ref) schema = doc.components.schemas[schema.$ref.split("/").at(-1)!];
      return { method: method.toUpperCase(), path, contentType: type, fields: Object.keys(schema?.properties ?? {}) };
    }),
  );
}

type Case = { auth: string | undefined; segment: string; query: string; body: string; type: string | undefined };

const caseFor = (op: Operation) =>
  fc.record({
    auth: fc.constantFrom(`Bearer ${agentToken}`, `Bearer ${agentToken}`, undefined, "Bearer x.y.z"),
    segment: wireSegment(runId),
    query: hostileQuery,
    body: hostileBody(op.fields),
    type: fc.oneof(fc.constant(op.contentType), contentType),
  });

function request(op: Operation, c: Case, base: string): Request {
  const path = op.path.replace(/\{\w+\}/g, c.segment);
  const headers: Record<string, string> = {};
  if (c.auth) headers.authorization = c.auth;
  if (c.type) headers["content-type"] = c.type;
  return new Request(`${base}${path}${c.query ? `?${c.query}` : ""}`, {
    method: op.method,
    headers,
    ...(op.method !== "GET" && { body: c.body }),
  });
}

/** Every error answers in the API's error shape (the token endpoint in RFC 6749's), never as a 500. */
async function expectHandled(op: Operation, c: Case, res: Response) {
  const text = await res.text();
  const context = `${op.method} ${op.path} ${JSON.stringify(c).slice(0, 400)} -> ${res.status} ${text.slice(0, 300)}`;
  // 503 is the contract's "a dependency is down"; the gateway's 502/504 name its upstream (§7); any other 5xx is a bug.
  const upstream = op.path.startsWith("/api/v1/gateway/") && (res.status === 502 || res.status === 504);
  expect(res.status < 500 || res.status === 503 || upstream, context).toBe(true);
  if (res.status < 400) return;
  const body: unknown = JSON.parse(text);
  if (op.path === "/api/v1/oauth/token") expect(body, context).toMatchObject({ error: expect.any(String), error_description: expect.any(String) });
  // MCP answers protocol errors as JSON-RPC errors (§8), and authentication in the error shape.
  else if (op.path === "/api/v1/mcp" && !errorBody.safeParse(body).success) expect(body, context).toMatchObject({ jsonrpc: "2.0", error: { code: expect.any(Number), message: expect.any(String) } });
  else expect(errorBody.safeParse(body).success, context).toBe(true);
}

/** Bounded: a few dozen cases per operation and server keep the whole file under a minute. */
const RUNS = { numRuns: 40, interruptAfterTimeLimit: 20_000 };

let ops: Operation[];
let agentToken: string;
let runId: string;
let server: Server;
let base: string;

beforeAll(async () => {
  const res = await (openapi.GET as Handler)(new Request("http://x/api/v1/openapi.json"), { params: Promise.resolve({}) });
  ops = operations(await res.json());
  const { tenant, agent, token: issued } = await createPolicyTenant();
  agentToken = issued;
  runId = `run_fuzz_${Date.now()}`;
  await seedEvents({ tenantId: tenant.id, agentId: agent.id, run: runId, count: 3 });
  server = createServer((req, res) => void serveRoute(AGENT_API_ROUTES, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("hostile input against the OpenAPI document's operations", () => {
  it("knows where Next.js serves every documented operation", () => {
    expect(ops.length).toBeGreaterThan(10);
    for (const op of ops) expect(handlerOf(op), `${op.method} ${op.path}`).toBeDefined();
  });

  it("answers the inputs that gave 500s with 400/404 in the error shape", async () => {
    const cursor = (text: string) => Buffer.from(text).toString("base64url");
    const get = async (path: string, url: string, params: Record<string, string>) => {
      const res = await handlerOf({ method: "GET", path })!(new Request(url, { headers: { authorization: `Bearer ${agentToken}` } }), { params: Promise.resolve(params) });
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    };
    expect(await get("/api/v1/runs/{run_id}", "http://x/api/v1/runs/run%00x", { run_id: "run\u0000x" })).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect(await get("/api/v1/runs/{run_id}/events", "http://x/api/v1/runs/%ED%A0%80/events", { run_id: "\ud800" })).toMatchObject({ status: 404 });
    expect(await get("/api/v1/approvals/{approval_id}", "http://x/api/v1/approvals/apr%00", { approval_id: "apr\u0000" })).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    for (const after of [cursor("2026-01-01T00:00:00.000Z|9999999999999999999"), cursor("2026-13-01T00:00:00.000Z|1"), cursor("0000-01-01T00:00:00.000Z|1"), "%00"]) {
      const res = await get("/api/v1/runs/{run_id}/events", `http://x/api/v1/runs/${runId}/events?after=${after}`, { run_id: runId });
      expect(res, after).toMatchObject({ status: 400, body: { error: { code: "validation_failed" } } });
    }
    const form = (body: string) => handlerOf({ method: "POST", path: "/api/v1/oauth/token" })!(new Request("http://x/api/v1/oauth/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body }), { params: Promise.resolve({}) });
    const res = await form("grant_type=client_credentials&client_id=agt%00x&client_secret=s");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_request" });
  });

  it("never answers 500 from the Next.js route handlers, and every error has the error shape", { timeout: 240_000 }, async () => {
    for (const op of ops) {
      const handler = handlerOf(op)!;
      const names = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
      await fc.assert(
        fc.asyncProperty(caseFor(op), async (c) => {
          // Next.js hands the handler decoded parameters; a malformed escape reaches it as sent.
          let decoded: string;
          try {
            decoded = decodeURIComponent(c.segment);
          } catch {
            decoded = c.segment;
          }
          const params = Object.fromEntries(names.map((name) => [name, decoded]));
          await expectHandled(op, c, await handler(request(op, c, "http://localhost"), { params: Promise.resolve(params) }));
        }),
        RUNS,
      );
    }
  });

  it("never answers 500 from the agent API server, and every error has the error shape", { timeout: 240_000 }, async () => {
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(caseFor(op), async (c) => {
          const req = request(op, c, base);
          // fetch would normalize the path's escapes: send the segment as generated.
          const url = `${base}${op.path.replace(/\{\w+\}/g, c.segment)}${c.query ? `?${c.query}` : ""}`;
          await expectHandled(op, c, await fetch(url, { method: req.method, headers: req.headers, ...(op.method !== "GET" && { body: c.body }) }));
        }),
        RUNS,
      );
    }
  });
});
