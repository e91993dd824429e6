/**
 * Adversarial probes of POST /api/v1/mcp over real HTTP (the lean node:http server): hostile
 * JSON-RPC envelopes (ids, methods, params, versions), headers (content type, Accept,
 * MCP-Protocol-Version, tokens), tools/call params and arguments (NUL, lone surrogates, deep
 * nesting, prototype keys, path escapes), notifications and batches. Each probe asserts the
 * exact answer and what the test upstream received. A tools/call is answered only after its
 * upstream call returned, so `received` after an answer is final; a notification, answered
 * without a result, is followed by a real call whose answer is the barrier.
 * The existing "bad input" test in mcp.int.test.ts covers the basics these do not repeat.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { SignJWT, decodeProtectedHeader, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLeanGatewayServer, type Received } from "@/app/api/v1/gateway/testing";
import { signAgentToken } from "@/lib/agents/agent-token";
import { withTenant } from "@/lib/db/tenant";

process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";

type Rpc = { jsonrpc?: string; id?: unknown; result?: Record<string, unknown> & { isError?: boolean; content?: { text: string }[] }; error?: { code: number; message: string; data?: unknown } };
type Answer = { status: number; headers: IncomingHttpHeaders; text: string; body: Rpc & Rpc[] & { error?: { code: unknown } } };

let lean: Awaited<ReturnType<typeof startLeanGatewayServer>>;
let upstream: typeof lean.upstream;
let received: Received[];
let port: number;
/** A tenant whose stripe refunds.create (stripe__refunds_create) is allowed and goes to the test upstream. */
let open: typeof lean.open;

beforeAll(async () => {
  lean = await startLeanGatewayServer();
  ({ upstream, port, open } = lean);
  received = upstream.received;
});
afterAll(() => lean.close());

/**
 * POST /api/v1/mcp on node:http with exactly the headers given (fetch would add Accept and a
 * content type); `headers` entries set to null are left out.
 */
function mcp(body: string | Buffer, headers: Record<string, string | null> = {}, token: string | null = open.token): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8");
    const all: Record<string, string | null> = { "content-type": "application/json", accept: "application/json, text/event-stream", ...(token && { authorization: `Bearer ${token}` }), "content-length": String(bytes.length), ...headers };
    const sent = Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== null));
    const req = httpRequest({ host: "127.0.0.1", port, path: "/api/v1/mcp", method: "POST", headers: sent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed = {} as Answer["body"];
        try {
          parsed = JSON.parse(text) as Answer["body"];
        } catch {
          // an empty 202, or an event stream: the assertions read `text`
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on("error", reject);
    req.end(bytes);
  });
}

const message = (fields: Record<string, unknown>) => JSON.stringify({ jsonrpc: "2.0", ...fields });
const TOOL = "stripe__refunds_create";
const call = (args: unknown, extra: Record<string, unknown> = {}, id: unknown = 1) => message({ id, method: "tools/call", params: { name: TOOL, arguments: args, ...extra } });
const refundArgs = { charge_id: "ch_1", amount_cents: 5 };

/** What the upstream received while `probe` ran. */
async function sentDuring<T>(probe: () => Promise<T>): Promise<{ answer: T; sent: Received[] }> {
  const before = received.length;
  const answer = await probe();
  return { answer, sent: received.slice(before) };
}

/** A real call whose answer (given after its upstream call) orders everything sent before it. */
async function barrier() {
  const answer = await mcp(call({ charge_id: "ch_barrier", amount_cents: 1 }, {}, "barrier"));
  expect({ status: answer.status, isError: answer.body.result?.isError }).toEqual({ status: 200, isError: false });
}

const rpcError = (id: unknown, code: number) => ({ jsonrpc: "2.0", id, error: { code, message: expect.any(String) } });
const rpcErrorWithData = (id: unknown, code: number) => ({ jsonrpc: "2.0", id, error: { code, message: expect.any(String), data: expect.anything() } });

describe("MCP: JSON-RPC envelopes", () => {
  it("answers hostile ids, methods, params, versions and non-object messages with the exact JSON-RPC answer, echoing only a valid id", async () => {
    const cases: [string, string, number, unknown][] = [
      ["id an object", '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', 200, rpcError(null, -32600)],
      ["id an array", '{"jsonrpc":"2.0","id":[1],"method":"ping"}', 200, rpcError(null, -32600)],
      ["id true", '{"jsonrpc":"2.0","id":true,"method":"ping"}', 200, rpcError(null, -32600)],
      ["id null", '{"jsonrpc":"2.0","id":null,"method":"ping"}', 200, rpcError(null, -32600)],
      ["id 1e400 (Infinity)", '{"jsonrpc":"2.0","id":1e400,"method":"ping"}', 200, rpcError(null, -32600)],
      ["id past 2^53", '{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}', 200, { jsonrpc: "2.0", id: 9007199254740992, result: {} }],
      ["id fractional", '{"jsonrpc":"2.0","id":-1.5,"method":"ping"}', 200, { jsonrpc: "2.0", id: -1.5, result: {} }],
      ["id with NUL", '{"jsonrpc":"2.0","id":"a\\u0000b","method":"ping"}', 200, { jsonrpc: "2.0", id: "a\u0000b", result: {} }],
      ["id a lone surrogate", '{"jsonrpc":"2.0","id":"\\ud800","method":"ping"}', 200, { jsonrpc: "2.0", id: "\ud800", result: {} }],
      ["id with markup", '{"jsonrpc":"2.0","id":"</script><script>","method":"ping"}', 200, { jsonrpc: "2.0", id: "</script><script>", result: {} }],
      ["method a number", '{"jsonrpc":"2.0","id":1,"method":5}', 200, rpcError(1, -32600)],
      ["method null", '{"jsonrpc":"2.0","id":1,"method":null}', 200, rpcError(1, -32600)],
      ["method an array", '{"jsonrpc":"2.0","id":1,"method":["ping"]}', 200, rpcError(1, -32600)],
      ["method empty", '{"jsonrpc":"2.0","id":1,"method":""}', 200, rpcError(1, -32600)],
      ["method too long", message({ id: 1, method: "x".repeat(201) }), 200, rpcError(1, -32600)],
      ["method with NUL", message({ id: 1, method: "ping\u0000" }), 200, rpcError(1, -32601)],
      ["method __proto__", message({ id: 1, method: "__proto__" }), 200, rpcError(1, -32601)],
      ["method constructor", message({ id: 1, method: "constructor" }), 200, rpcError(1, -32601)],
      ["method in another case", message({ id: 1, method: "PING" }), 200, rpcError(1, -32601)],
      ["method with a space", message({ id: 1, method: "tools/call " }), 200, rpcError(1, -32601)],
      ["initialize without params", message({ id: 1, method: "initialize" }), 200, rpcError(1, -32602)],
      ["initialize with a numeric version", message({ id: 1, method: "initialize", params: { protocolVersion: 5 } }), 200, rpcError(1, -32602)],
      ["initialize with a NUL version", message({ id: 1, method: "initialize", params: { protocolVersion: "\u0000", capabilities: JSON.parse('{"__proto__":{"x":1}}') } }), 200, { jsonrpc: "2.0", id: 1, result: expect.objectContaining({ protocolVersion: "2025-11-25" }) }],
      ["tools/list with a hostile cursor", message({ id: 1, method: "tools/list", params: { cursor: { $ne: null } } }), 200, { jsonrpc: "2.0", id: 1, result: { tools: [expect.objectContaining({ name: TOOL })] } }],
      ["params an array", message({ id: 1, method: "ping", params: [] }), 200, rpcError(1, -32600)],
      ["params a string", message({ id: 1, method: "ping", params: "x" }), 200, rpcError(1, -32600)],
      ["params null", message({ id: 1, method: "ping", params: null }), 200, rpcError(1, -32600)],
      ["params a number", message({ id: 1, method: "ping", params: 5 }), 200, rpcError(1, -32600)],
      ["jsonrpc missing", '{"id":1,"method":"ping"}', 200, rpcError(1, -32600)],
      ["jsonrpc 1.0", '{"jsonrpc":"1.0","id":1,"method":"ping"}', 200, rpcError(1, -32600)],
      ["jsonrpc a number", '{"jsonrpc":2.0,"id":1,"method":"ping"}', 200, rpcError(1, -32600)],
      ["jsonrpc with NUL", '{"jsonrpc":"2.0\\u0000","id":1,"method":"ping"}', 200, rpcError(1, -32600)],
      ["a string", '"ping"', 200, rpcError(null, -32600)],
      ["a number", "42", 200, rpcError(null, -32600)],
      ["null", "null", 200, rpcError(null, -32600)],
      ["true", "true", 200, rpcError(null, -32600)],
      ["empty", "", 400, rpcError(null, -32700)],
      ["whitespace", " \n ", 400, rpcError(null, -32700)],
      ["byte order mark", `\ufeff${message({ id: 1, method: "ping" })}`, 400, rpcError(null, -32700)],
      ["raw NUL byte in a string", '{"jsonrpc":"2.0","id":"a\u0000","method":"ping"}', 400, rpcError(null, -32700)],
      ["two messages", `${message({ id: 1, method: "ping" })}${message({ id: 2, method: "ping" })}`, 400, rpcError(null, -32700)],
      ["a batch on the current revision", `[${message({ id: 1, method: "ping" })}]`, 400, rpcError(null, -32600)],
      ["10,000 nested arrays", `${"[".repeat(10_000)}${"]".repeat(10_000)}`, 400, rpcError(null, -32600)],
      ["10,000 nested objects in ping's params", `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}}`, 200, { jsonrpc: "2.0", id: 1, result: {} }],
      ["a duplicate id (the last wins)", '{"jsonrpc":"2.0","id":1,"method":"ping","id":2}', 200, { jsonrpc: "2.0", id: 2, result: {} }],
      ["__proto__ smuggling a method", '{"jsonrpc":"2.0","id":1,"__proto__":{"method":"tools/list"}}', 202, {}],
    ];
    const { sent } = await sentDuring(async () => {
      for (const [name, body, status, expected] of cases) {
        const answer = await mcp(body);
        expect({ name, status: answer.status, body: answer.body }).toEqual({ name, status, body: expected });
      }
    });
    expect(sent).toEqual([]);
  });

  it("accepts responses and notifications with 202 and no body, executing nothing, not even a tools/call notification", async () => {
    const bodies = [
      message({ id: 7, result: {} }),
      message({ id: 7, error: { code: 1, message: "x" } }),
      message({ method: "notifications/cancelled", params: { requestId: 1 } }),
      message({ method: "notifications/made-up" }),
      message({ method: "tools/call", params: { name: TOOL, arguments: refundArgs } }),
      message({ method: "tools/call", params: { name: TOOL, arguments: { charge_id: "\u0000", amount_cents: 5 } } }),
    ];
    const { sent } = await sentDuring(async () => {
      for (const body of bodies) {
        const answer = await mcp(body);
        expect({ body: body.slice(0, 60), status: answer.status, text: answer.text }).toEqual({ body: body.slice(0, 60), status: 202, text: "" });
      }
      await barrier();
    });
    expect(sent.map((r) => r.url)).toEqual(["/v1/charges/ch_barrier/refunds"]);
  });
});

describe("MCP: headers", () => {
  it("answers content types, Accept variants and MCP-Protocol-Version garbage exactly", async () => {
    const ping = message({ id: 1, method: "ping" });
    const ok = { jsonrpc: "2.0", id: 1, result: {} };
    const cases: [string, Record<string, string | null>, number, unknown][] = [
      ["no content type", { "content-type": null }, 415, rpcError(null, -32600)],
      ["text/plain", { "content-type": "text/plain" }, 415, rpcError(null, -32600)],
      ["form", { "content-type": "application/x-www-form-urlencoded" }, 415, rpcError(null, -32600)],
      ["json with a charset", { "content-type": "application/json; charset=utf-8" }, 200, ok],
      ["no Accept", { accept: null }, 200, ok],
      ["Accept JSON only", { accept: "application/json" }, 200, ok],
      ["Accept */*", { accept: "*/*" }, 200, ok],
      ["Accept application/*", { accept: "application/*" }, 200, ok],
      ["Accept event streams only", { accept: "text/event-stream" }, 406, rpcError(null, -32600)],
      ["Accept garbage", { accept: "\u00ff\u00fe;;;,,," }, 406, rpcError(null, -32600)],
      ["a list of versions", { "mcp-protocol-version": "2025-06-18, 2025-03-26" }, 400, rpcErrorWithData(null, -32022)],
      ["a version with latin-1", { "mcp-protocol-version": "2025-06-18\u00e9" }, 400, rpcErrorWithData(null, -32022)],
      ["a long version", { "mcp-protocol-version": "2".repeat(8_000) }, 400, rpcErrorWithData(null, -32022)],
      ["a version in another form", { "mcp-protocol-version": "20250618" }, 400, rpcErrorWithData(null, -32022)],
      ["each supported version", { "mcp-protocol-version": "2025-11-25" }, 200, ok],
      ["the batch revision", { "mcp-protocol-version": "2025-03-26" }, 200, ok],
    ];
    for (const [name, headers, status, expected] of cases) {
      const answer = await mcp(ping, headers);
      expect({ name, status: answer.status, body: answer.body }).toEqual({ name, status, body: expected });
    }
  });

  it("answers missing, malformed, forged, expired and alg:none tokens with 401 and the resource-metadata challenge, before reading the message", async () => {
    const credential = await withTenant({ tenantId: open.tenant.id }, (tx) => tx.agentCredential.findFirstOrThrow({ where: { tenantId: open.tenant.id, agentId: open.agent.id } }));
    const kid = decodeProtectedHeader(open.token).kid!;
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT({ tid: open.tenant.id, cid: credential.id }).setProtectedHeader({ alg: "ES256", kid }).setSubject(open.agent.id).setJti("j").setIssuedAt().setExpirationTime("5m").sign(privateKey);
    const expired = (await signAgentToken({ agentId: open.agent.id, tenantId: open.tenant.id, credentialId: credential.id, ttlSeconds: -60 })).token;
    const [, payload] = open.token.split(".");
    const algNone = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.`;
    const challenge = `Bearer resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/api/v1/mcp"`;
    const call = message({ id: 1, method: "tools/call", params: { name: TOOL, arguments: refundArgs } });
    const { sent } = await sentDuring(async () => {
      for (const authorization of [null, "", "Bearer", "Basic Zm9vOmJhcg==", `Bearer ${open.token}.x`, `Bearer ${forged}`, `Bearer ${expired}`, `Bearer ${algNone}`, `Bearer ${open.token} ${open.token}`]) {
        // The body is not even JSON: a caller without a valid token learns nothing about it.
        for (const body of [call, "{not json"]) {
          const answer = await mcp(body, { authorization }, null);
          expect({ authorization: authorization?.slice(0, 30), status: answer.status, code: answer.body.error?.code, challenge: answer.headers["www-authenticate"] }).toEqual({
            authorization: authorization?.slice(0, 30),
            status: 401,
            code: "invalid_token",
            challenge,
          });
        }
      }
    });
    expect(sent).toEqual([]);
    // A lower-case scheme is still the Bearer scheme.
    expect((await mcp(message({ id: 1, method: "ping" }), { authorization: `bearer ${open.token}` }, null)).body).toEqual({ jsonrpc: "2.0", id: 1, result: {} });
  });
});

describe("MCP: tools/call params", () => {
  it("refuses hostile names, arguments and _meta with -32602 before deciding or executing anything", async () => {
    const cases: [string, Record<string, unknown>][] = [
      ["no params", {}],
      ["name empty", { name: "" }],
      ["name null", { name: null, arguments: refundArgs }],
      ["name an array", { name: [TOOL], arguments: refundArgs }],
      ["name an object", { name: { toString: TOOL }, arguments: refundArgs }],
      ["name too long", { name: "x".repeat(201), arguments: refundArgs }],
      ["name 100,000 long", { name: TOOL.repeat(5_000), arguments: refundArgs }],
      ["name with NUL", { name: `${TOOL}\u0000`, arguments: refundArgs }],
      ["name with a lone surrogate", { name: `${TOOL}\ud800`, arguments: refundArgs }],
      ["name unmangled", { name: "stripe/refunds.create", arguments: refundArgs }],
      ["name in another case", { name: TOOL.toUpperCase(), arguments: refundArgs }],
      ["name with a trailing space", { name: `${TOOL} `, arguments: refundArgs }],
      ["name __proto__", { name: "__proto__", arguments: refundArgs }],
      ["name constructor", { name: "constructor", arguments: refundArgs }],
      ["name of an operation the policy does not list", { name: "stripe__charges_retrieve", arguments: { charge_id: "ch_1" } }],
      ["arguments an array", { name: TOOL, arguments: [refundArgs] }],
      ["arguments a string", { name: TOOL, arguments: JSON.stringify(refundArgs) }],
      ["arguments null", { name: TOOL, arguments: null }],
      ["arguments a number", { name: TOOL, arguments: 5 }],
      ["_meta an array", { name: TOOL, arguments: refundArgs, _meta: [] }],
      ["run id empty", { name: TOOL, arguments: refundArgs, _meta: { "gatehouse/run_id": "" } }],
      ["run id too long", { name: TOOL, arguments: refundArgs, _meta: { "gatehouse/run_id": "r".repeat(129) } }],
      ["run id a number", { name: TOOL, arguments: refundArgs, _meta: { "gatehouse/run_id": 7 } }],
      ["approval id empty", { name: TOOL, arguments: refundArgs, _meta: { "gatehouse/approval_id": "" } }],
      ["approval id too long", { name: TOOL, arguments: refundArgs, _meta: { "gatehouse/approval_id": "a".repeat(65) } }],
      ["approval id an object", { name: TOOL, arguments: refundArgs, _meta: { "gatehouse/approval_id": { id: "apr" } } }],
    ];
    const { sent } = await sentDuring(async () => {
      for (const [name, params] of cases) {
        const answer = await mcp(message({ id: name, method: "tools/call", params }));
        expect({ status: answer.status, body: answer.body }, name).toMatchObject({ status: 200, body: { jsonrpc: "2.0", id: name, error: { code: -32602 } } });
        expect(answer.body.result, name).toBeUndefined();
      }
    });
    expect(sent).toEqual([]);
  });

  it("denies what the policy denies as a tool result with isError, and keeps path arguments inside the path", async () => {
    const cases: [string, unknown, string][] = [
      ["amount a string", { charge_id: "ch_1", amount_cents: "lots" }, "Gatehouse denied this call"],
      ["charge_id an object", { charge_id: { $ne: null }, amount_cents: 5 }, "Gatehouse denied this call"],
      ["charge_id missing, smuggled through __proto__", JSON.parse('{"__proto__":{"charge_id":"ch_evil"},"amount_cents":5}'), "Gatehouse denied this call"],
      ["charge_id ..", { charge_id: "..", amount_cents: 5 }, "Gatehouse could not complete the call (validation_failed)"],
      ["charge_id .", { charge_id: ".", amount_cents: 5 }, "Gatehouse could not complete the call (validation_failed)"],
      ["an unknown approval id", refundArgs, "Gatehouse denied this call"],
    ];
    const { sent } = await sentDuring(async () => {
      for (const [name, args, text] of cases) {
        const extra = name === "an unknown approval id" ? { _meta: { "gatehouse/approval_id": "apr_' OR 1=1 --" } } : {};
        const answer = await mcp(call(args, extra, name));
        expect({ status: answer.status, id: answer.body.id, isError: answer.body.result?.isError }, name).toEqual({ status: 200, id: name, isError: true });
        expect(answer.body.result!.content![0]!.text, name).toContain(text);
      }
    });
    expect(sent).toEqual([]);
    expect(Object.prototype).not.toHaveProperty("charge_id");

    const escaped = await sentDuring(async () => {
      for (const chargeId of ["../../admin", "%2e%2e", "a?b#c", "x\r\nX-Injected: 1"]) expect((await mcp(call({ charge_id: chargeId, amount_cents: 5 }))).body.result?.isError, chargeId).toBe(false);
    });
    expect(escaped.sent.map((r) => r.url)).toEqual(["/v1/charges/..%2F..%2Fadmin/refunds", "/v1/charges/%252e%252e/refunds", "/v1/charges/a%3Fb%23c/refunds", "/v1/charges/x%0D%0AX-Injected%3A%201/refunds"]);
    expect(escaped.sent.map((r) => r.headers["x-injected"])).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("reads duplicate argument keys as JSON.parse does (the last wins) for the decision and the upstream alike", async () => {
    const denied = await sentDuring(() => mcp(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${TOOL}","arguments":{"charge_id":"ch_1","amount_cents":5,"amount_cents":-1}}}`));
    expect(denied.answer.body.result?.isError).toBe(true);
    expect(denied.sent).toEqual([]);
    const allowed = await sentDuring(() => mcp(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"stripe__charges_retrieve","name":"${TOOL}","arguments":{"charge_id":"ch_1","amount_cents":-1,"amount_cents":8}}}`));
    expect(allowed.answer.body.result?.isError).toBe(false);
    expect(allowed.sent.map((r) => [r.url, r.body])).toEqual([["/v1/charges/ch_1/refunds", '{"amount_cents":8}']]);
  });

  it("answers a hostile progress token with plain JSON, not an event stream", async () => {
    const { answer, sent } = await sentDuring(async () => {
      const answers = [];
      for (const progressToken of [{ a: 1 }, null, true, "p".repeat(201), [1]]) {
        const answer = await mcp(call(refundArgs, { _meta: { progressToken } }));
        answers.push({ type: answer.headers["content-type"], isError: answer.body.result?.isError });
      }
      return answers;
    });
    expect(answer).toEqual(Array(5).fill({ type: "application/json", isError: false }));
    expect(sent).toHaveLength(5);
  });
});

describe("MCP: arguments the HTTP gateway refuses", () => {
  // POST /api/v1/gateway answers each of these with 400 validation_failed before deciding
  // (lib/http/route.ts checks every body with findUnstorable): the MCP equivalent is -32602.
  const unstorable: [string, string][] = [
    ["a NUL in an argument's value", call({ charge_id: "ch_\u0000", amount_cents: 5 })],
    ["a NUL in an argument's key", call({ ...refundArgs, "re\u0000ason": "x" })],
    ["a lone surrogate in an argument's value", call({ ...refundArgs, reason: "\ud800" })],
    ["a lone surrogate in an argument's key", call({ ...refundArgs, "\udfff": 1 })],
    ["a NUL in _meta gatehouse/run_id", call(refundArgs, { _meta: { "gatehouse/run_id": "run_\u0000" } })],
    ["a lone surrogate in _meta gatehouse/run_id", call(refundArgs, { _meta: { "gatehouse/run_id": "run_\ud800" } })],
  ];
  for (const [name, body] of unstorable) {
    // Regression (was executed, or a 500, before the storable check): tools/call skipped the storable check the gateway body has (lib/mcp/handle-message.ts callParams): the call was executed upstream, and its decision record dead-lettered (surrogates, NUL run id) or stored unlike what was sent (NUL).
    it(`refuses ${name} with -32602 and sends nothing`, async () => {
      const { answer, sent } = await sentDuring(() => mcp(body));
      expect({ status: answer.status, code: answer.body.error?.code, result: answer.body.result }).toEqual({ status: 200, code: -32602, result: undefined });
      expect(sent).toEqual([]);
    });
  }

  const deepArgs = `{"charge_id":"ch_1","amount_cents":5,"deep":${"[".repeat(10_000)}1${"]".repeat(10_000)}}`;
  const deep = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${TOOL}","arguments":${deepArgs}}}`;
  const nulApproval = call(refundArgs, { _meta: { "gatehouse/approval_id": "apr_\u0000" } });

  // Regression (was executed, or a 500, before the storable check): 10,000 nested arrays in tools/call arguments overflowed the stack in JSON.stringify (lib/gateway/build-request.ts:36, via call-tool.ts:65): HTTP 500 internal_error.
  it("refuses 10,000 levels of nesting in an argument with -32602 (not an HTTP 500) and sends nothing", async () => {
    const { answer, sent } = await sentDuring(() => mcp(deep));
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { jsonrpc: "2.0", id: 1, error: expect.objectContaining({ code: -32602 }) } });
    expect(sent).toEqual([]);
  });

  // Regression (was executed, or a 500, before the storable check): a NUL in _meta gatehouse/approval_id reached Postgres in redeemApproval's query (lib/approvals/redeem-approval.ts:13, via decide-action.ts:57): HTTP 500 internal_error.
  it("refuses a NUL in _meta gatehouse/approval_id with -32602 (not an HTTP 500) and sends nothing", async () => {
    const { answer, sent } = await sentDuring(() => mcp(nulApproval));
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { jsonrpc: "2.0", id: 1, error: expect.objectContaining({ code: -32602 }) } });
    expect(sent).toEqual([]);
  });

  // Regression (was executed, or a 500, before the storable check): the same two inputs on a call that asked for progress were answered -32603 "Internal error" in the event stream (lib/http/mcp-transport.ts streamCall).
  it("refuses them with -32602 in the event stream of a call that asked for progress", async () => {
    const asking = [
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${TOOL}","_meta":{"progressToken":"p1"},"arguments":${deepArgs}}}`,
      call(refundArgs, { _meta: { progressToken: "p1", "gatehouse/approval_id": "apr_\u0000" } }),
    ];
    const { answer, sent } = await sentDuring(() => Promise.all(asking.map((body) => mcp(body))));
    for (const streamed of answer) {
      expect(streamed.headers["content-type"]).toBe("text/event-stream");
      const messages = streamed.text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)) as Rpc);
      expect(messages.map((m) => [m.id, m.error?.code])).toEqual([[1, -32602]]);
    }
    expect(sent).toEqual([]);
  });

  // Regression (was executed, or a 500, before the storable check): one message that threw failed its whole batch with HTTP 500 (lib/http/mcp-transport.ts batch loop): a tools/call earlier in the batch was executed upstream but its result was lost, so a retrying client executed it twice.
  it("answers each message of a batch on its own when one of them is hostile, so an executed call's result is never lost", async () => {
    const batch = `[${call(refundArgs, {}, "a")},${nulApproval.replace('"id":1', '"id":"b"')},${message({ id: "c", method: "ping" })}]`;
    const { answer, sent } = await sentDuring(() => mcp(batch, { "mcp-protocol-version": "2025-03-26" }));
    expect(sent).toHaveLength(1);
    expect(answer.status).toBe(200);
    const answers = answer.body as Rpc[];
    expect(answers.map((a) => [a.id, a.result?.isError ?? a.error?.code])).toEqual([
      ["a", false],
      ["b", -32602],
      ["c", undefined],
    ]);
  });
});

describe("MCP: batches (2025-03-26)", () => {
  const v = { "mcp-protocol-version": "2025-03-26" };

  it("answers empty, garbage, nested and duplicate-id batches exactly", async () => {
    const ping = (id: unknown) => ({ jsonrpc: "2.0", id, method: "ping" });
    const cases: [string, string, number, unknown][] = [
      ["empty", "[]", 400, rpcError(null, -32600)],
      ["garbage items", '[1,"x",null,true,[],{}]', 200, Array(6).fill(rpcError(null, -32600))],
      ["a nested batch", JSON.stringify([[ping(1)]]), 200, [rpcError(null, -32600)]],
      ["10,000 nested arrays", `${"[".repeat(10_000)}${"]".repeat(10_000)}`, 200, [rpcError(null, -32600)]],
      ["duplicate ids", JSON.stringify([ping(1), ping(1)]), 200, [{ jsonrpc: "2.0", id: 1, result: {} }, { jsonrpc: "2.0", id: 1, result: {} }]],
      ["notifications and responses only", JSON.stringify([{ jsonrpc: "2.0", method: "notifications/initialized" }, { jsonrpc: "2.0", id: 3, result: {} }]), 202, {}],
      ["a bad tools/call among good messages", JSON.stringify([ping("a"), { jsonrpc: "2.0", id: "b", method: "tools/call", params: { name: 7 } }, ping("c")]), 200, [{ jsonrpc: "2.0", id: "a", result: {} }, rpcErrorWithData("b", -32602), { jsonrpc: "2.0", id: "c", result: {} }]],
    ];
    const { sent } = await sentDuring(async () => {
      for (const [name, body, status, expected] of cases) {
        const answer = await mcp(body, v);
        expect({ name, status: answer.status, body: answer.body }).toEqual({ name, status, body: expected });
      }
    });
    expect(sent).toEqual([]);
  });

  it("answers a batch of 5,000 pings, in order, promptly; a tools/call notification in a batch executes nothing", async () => {
    const started = Date.now();
    const answer = await mcp(JSON.stringify(Array.from({ length: 5_000 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" }))), v);
    expect(answer.status).toBe(200);
    expect((answer.body as Rpc[]).map((a) => a.id)).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(Date.now() - started).toBeLessThan(5_000);

    const { sent } = await sentDuring(async () => {
      const mixed = await mcp(JSON.stringify([{ jsonrpc: "2.0", method: "tools/call", params: { name: TOOL, arguments: refundArgs } }, { jsonrpc: "2.0", id: 1, method: "ping" }]), v);
      expect(mixed.body).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);
      await barrier();
    });
    expect(sent.map((r) => r.url)).toEqual(["/v1/charges/ch_barrier/refunds"]);
  });
});
