/**
 * Adversarial probes of POST /api/v1/gateway/{tool}/{operation} over real HTTP (the lean
 * node:http server, which serves the very route handler Next.js serves): hostile tokens,
 * bodies, JSON (NUL, lone surrogates, deep nesting, duplicate and prototype keys), `wait`,
 * `approval_id`, path arguments and URL names, spoofed headers. Every probe asserts the exact
 * answer and what the test upstream received: an answer is only given once the upstream
 * call (if any) has returned, so what `received` holds after an answer is final.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { SignJWT, decodeProtectedHeader, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAgentToken } from "@/lib/agents/agent-token";
import { voteOnApproval } from "@/lib/approvals/vote-on-approval";
import { changeAgentStatus } from "@/lib/agents/change-agent-status";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { createTestCredential, createUser } from "@/lib/testing/factories";
import { updateOperation } from "@/lib/tools/update-operation";
import { createGatewayTenant, startLeanGatewayServer, type Received } from "./testing";

process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";

type Body = {
  error?: { code: string; message: string; details?: { path: string; message: string }[] | Record<string, unknown> };
  decision?: string;
  reasons?: { code: string }[];
  approval?: { id: string };
  result?: { status: number; truncated: boolean; body: unknown };
};
type Answer = { status: number; headers: IncomingHttpHeaders; text: string; body: Body };

let lean: Awaited<ReturnType<typeof startLeanGatewayServer>>;
let upstream: typeof lean.upstream;
let received: Received[];
let port: number;
/** A tenant whose stripe refunds.create is allowed and goes to the test upstream. */
let open: typeof lean.open;

beforeAll(async () => {
  lean = await startLeanGatewayServer();
  ({ upstream, port, open } = lean);
  received = upstream.received;
});
afterAll(() => lean.close());

/** One request on node:http, with the path, Host and body exactly as given (fetch would normalize them). */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, "utf8");
    const headers = { ...(body && { "content-length": String(body.length) }), ...opts.headers };
    const req = httpRequest({ host: "127.0.0.1", port, path, method: opts.method ?? "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: Body = {};
        try {
          parsed = JSON.parse(text) as Body;
        } catch {
          // left empty: the assertions on the status and body say what was wrong
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const PATH = "/api/v1/gateway/stripe/refunds.create";
const json = (token: string | null = open.token, extra: Record<string, string> = {}) => ({ "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }), ...extra });
/** POST `text` (sent as it is) to the gateway as the open tenant's agent. */
const gw = (text: string | Buffer, opts: { path?: string; token?: string | null; headers?: Record<string, string> } = {}) =>
  raw(opts.path ?? PATH, { body: text, headers: json(opts.token === undefined ? open.token : opts.token, opts.headers) });
const refund = (args: Record<string, unknown> = { charge_id: "ch_1", amount_cents: 5 }, extra: Record<string, unknown> = {}) => JSON.stringify({ run_id: "run_hostile", args, ...extra });

/** What the upstream received while `probe` ran (its answer is only given after the upstream answered). */
async function sentDuring<T>(probe: () => Promise<T>): Promise<{ answer: T; sent: Received[] }> {
  const before = received.length;
  const answer = await probe();
  return { answer, sent: received.slice(before) };
}

const outcome = (a: Answer) => ({ status: a.status, code: a.body.error?.code ?? a.body.decision, reason: a.body.reasons?.[0]?.code });

async function approverOf(tenant: { id: string; slug: string; name: string }): Promise<MemberContext> {
  const user = await createUser();
  await withTenant({ tenantId: tenant.id }, (tx) => tx.membership.create({ data: { tenantId: tenant.id, userId: user.id, role: "approver" } }));
  return { user: { id: user.id, email: user.email, name: user.name }, role: "approver", tenant };
}

describe("gateway: bearer tokens", () => {
  it("answers missing, malformed, tampered, forged, expired, HS256 and alg:none tokens with 401 invalid_token, and sends nothing", async () => {
    const credential = await withTenant({ tenantId: open.tenant.id }, (tx) => tx.agentCredential.findFirstOrThrow({ where: { tenantId: open.tenant.id, agentId: open.agent.id } }));
    const claims = { tid: open.tenant.id, cid: credential.id };
    const kid = decodeProtectedHeader(open.token).kid!;
    const { privateKey: strangerKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" }).setSubject(open.agent.id).setIssuer("gatehouse").setAudience("gatehouse").setJti("j1").setIssuedAt().setExpirationTime("5m").sign(strangerKey);
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid }).setSubject(open.agent.id).setJti("j2").setIssuedAt().setExpirationTime("5m").sign(new TextEncoder().encode("x".repeat(32)));
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const [header, payload] = open.token.split(".") as [string, string, string];
    const algNone = `${b64({ alg: "none", typ: "JWT" })}.${payload}.`;
    const unsigned = `${b64({ alg: "none", kid })}.${payload}.x`;
    const expired = (await signAgentToken({ agentId: open.agent.id, tenantId: open.tenant.id, credentialId: credential.id, ttlSeconds: -120 })).token;
    const signature = open.token.split(".")[2]!;
    const tampered = `${header}.${payload}.${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
    // Another agent's claims under this token's signature.
    const swapped = `${header}.${b64({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), sub: "agt_someone_else" })}.${signature}`;
    const authorizations: (string | undefined)[] = [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      "Bearer abc",
      "Basic dXNlcjpwYXNz",
      `Token ${open.token}`,
      `Bearer ${open.token}, Bearer ${open.token}`,
      `Bearer ${open.token}x`,
      `Bearer ${tampered}`,
      `Bearer ${swapped}`,
      `Bearer ${forged}`,
      `Bearer ${hs256}`,
      `Bearer ${algNone}`,
      `Bearer ${unsigned}`,
      `Bearer ${expired}`,
      `Bearer ${"a".repeat(4_000)}.${"b".repeat(4_000)}.${"c".repeat(10)}`,
    ];
    const { sent } = await sentDuring(async () => {
      for (const authorization of authorizations) {
        const answer = await raw(PATH, { body: refund(), headers: { "content-type": "application/json", ...(authorization !== undefined && { authorization }) } });
        expect({ authorization: authorization?.slice(0, 40), ...outcome(answer) }).toEqual({ authorization: authorization?.slice(0, 40), status: 401, code: "invalid_token", reason: undefined });
        expect(answer.text).not.toContain(open.secret);
      }
      // A token in the query string is not a credential.
      expect((await raw(`${PATH}?access_token=${open.token}`, { body: refund(), headers: json(null) })).status).toBe(401);
    });
    expect(sent).toEqual([]);
    // The real token still works (the probes did not poison the verified-token cache).
    expect(outcome(await gw(refund()))).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
  });
});

describe("gateway: agents that may not call", () => {
  it("answers a suspended agent's hostile and valid calls alike with 403 agent_suspended, and sends nothing", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    await changeAgentStatus({ actor: ctx.owner, agentId: ctx.agent.id, status: "suspended", reason: "hostile test" });
    const { sent } = await sentDuring(async () => {
      // The suspension also ends the tokens issued before it (401 from then on); the status is told first.
      await expect.poll(async () => outcome(await gw(refund(), { token: ctx.token })), { timeout: 5_000 }).toEqual({ status: 403, code: "agent_suspended", reason: undefined });
      expect(outcome(await gw("{not json", { token: ctx.token }))).toEqual({ status: 403, code: "agent_suspended", reason: undefined });
      expect(outcome(await gw(refund({ charge_id: "\u0000", amount_cents: 5 }), { token: ctx.token }))).toEqual({ status: 403, code: "agent_suspended", reason: undefined });
    });
    expect(sent).toEqual([]);
  });

  it("answers a registered operation without an upstream with 409 conflict before deciding, whatever the (storable) arguments", async () => {
    const { sent } = await sentDuring(async () => {
      for (const args of [{ repo: "acme/web" }, { repo: { $gt: "" } }, {}]) {
        expect(outcome(await raw("/api/v1/gateway/github/repos.get", { body: refund(args), headers: json() }))).toEqual({ status: 409, code: "conflict", reason: undefined });
      }
      // The body is checked first.
      expect(outcome(await raw("/api/v1/gateway/github/repos.get", { body: refund({ repo: "\u0000" }), headers: json() }))).toEqual({ status: 400, code: "validation_failed", reason: undefined });
    });
    expect(sent).toEqual([]);
  });
});

describe("gateway: bodies", () => {
  it("checks an argument against a pattern V8 would backtrack on for minutes in linear time: denied with the schema's reason, nothing sent", async () => {
    const ctx = await createGatewayTenant(upstream.base);
    const op = await withTenant({ tenantId: ctx.tenant.id }, (tx) => tx.toolOperation.findFirstOrThrow({ where: { tenantId: ctx.tenant.id, name: "refunds.create" } }));
    // As an imported catalogue might declare it: an overlapping alternation under a repeat.
    const argsSchema = { type: "object", properties: { charge_id: { type: "string", pattern: "^(ch|c|h)+_\\w+$" } }, required: ["charge_id"] };
    await updateOperation({ actor: ctx.owner, toolId: op.toolId, operationId: op.id, changes: { argsSchema } });
    const { answer, sent } = await sentDuring(() => gw(refund({ charge_id: `${"ch".repeat(20_000)}!`, amount_cents: 5 }), { token: ctx.token }));
    expect(outcome(answer)).toEqual({ status: 200, code: "deny", reason: "invalid_args" });
    expect(sent).toEqual([]);
    expect((await sentDuring(() => gw(refund({ charge_id: "ch_1", amount_cents: 5 }), { token: ctx.token }))).sent).toHaveLength(1);
  });

  it("answers wrong content types, empty, malformed and non-object bodies with the exact status and code, and sends nothing", async () => {
    const cases: [string, Record<string, string>, string | Buffer, number, string][] = [
      ["no content type", { "content-type": "" }, refund(), 415, "unsupported_media_type"],
      ["text/plain", { "content-type": "text/plain" }, refund(), 415, "unsupported_media_type"],
      ["form", { "content-type": "application/x-www-form-urlencoded" }, "run_id=r", 415, "unsupported_media_type"],
      ["jsonp", { "content-type": "application/jsonp" }, refund(), 415, "unsupported_media_type"],
      ["json in a parameter", { "content-type": "text/html; x=application/json" }, refund(), 415, "unsupported_media_type"],
      ["empty", {}, "", 400, "malformed_json"],
      ["whitespace", {}, " \r\n\t ", 400, "malformed_json"],
      ["truncated", {}, '{"run_id":"r","args":{', 400, "malformed_json"],
      ["byte order mark", {}, `\ufeff${refund()}`, 400, "malformed_json"],
      ["raw NUL byte in a string", {}, Buffer.from(refund({ charge_id: "ch_\u0001", amount_cents: 5 }).replace("\\u0001", "\u0000")), 400, "malformed_json"],
      ["raw control byte in a string", {}, Buffer.from(refund({ charge_id: "ch_\u0001", amount_cents: 5 }).replace("\\u0001", "\n")), 400, "malformed_json"],
      ["two documents", {}, `${refund()}${refund()}`, 400, "malformed_json"],
      ["NaN", {}, '{"run_id":"r","args":{"charge_id":"c","amount_cents":NaN}}', 400, "malformed_json"],
      ["array", {}, "[]", 400, "validation_failed"],
      ["array of the body", {}, `[${refund()}]`, 400, "validation_failed"],
      ["string", {}, '"run_hostile"', 400, "validation_failed"],
      ["null", {}, "null", 400, "validation_failed"],
      ["number", {}, "42", 400, "validation_failed"],
      ["boolean", {}, "true", 400, "validation_failed"],
      ["args an array", {}, '{"run_id":"r","args":[1,2]}', 400, "validation_failed"],
      ["args a string", {}, '{"run_id":"r","args":"charge_id=ch_1"}', 400, "validation_failed"],
      ["args null", {}, '{"run_id":"r","args":null}', 400, "validation_failed"],
      ["run_id missing", {}, '{"args":{}}', 400, "validation_failed"],
      ["run_id empty", {}, '{"run_id":"","args":{}}', 400, "validation_failed"],
      ["run_id a number", {}, '{"run_id":7,"args":{}}', 400, "validation_failed"],
      ["run_id too long", {}, refund(undefined, { run_id: "r".repeat(129) }), 400, "validation_failed"],
      ["context an array", {}, refund(undefined, { context: [] }), 400, "validation_failed"],
      ["resource without id", {}, refund(undefined, { resource: { type: "charge" } }), 400, "validation_failed"],
      ["resource type empty", {}, refund(undefined, { resource: { type: "", id: "x" } }), 400, "validation_failed"],
    ];
    const { sent } = await sentDuring(async () => {
      for (const [name, headers, body, status, code] of cases) {
        const answer = await gw(body, { headers });
        expect({ name, status: answer.status, code: answer.body.error?.code }).toEqual({ name, status, code });
        expect(answer.body.error!.message, name).toEqual(expect.any(String));
      }
    });
    expect(sent).toEqual([]);
  });

  it("refuses NUL and lone surrogates in any value or key with 400 validation_failed naming the path, and sends nothing", async () => {
    const args = { charge_id: "ch_1", amount_cents: 5 };
    const cases: [string, string, string][] = [
      ["NUL in an argument", refund({ ...args, charge_id: "ch_\u0000" }), "args.charge_id"],
      ["NUL in an argument's key", refund({ ...args, "re\u0000ason": "x" }), "args.re\u0000ason"],
      ["lone high surrogate in an argument", refund({ ...args, reason: "a\ud800b" }), "args.reason"],
      ["lone low surrogate in an argument", refund({ ...args, reason: "\udfff" }), "args.reason"],
      ["reversed surrogate pair", refund({ ...args, reason: "\udc00\ud800" }), "args.reason"],
      ["lone surrogate in a key", refund({ ...args, "\ud800": 1 }), "args.\ud800"],
      ["NUL deep inside an argument", refund({ ...args, meta: { list: [1, { k: "\u0000" }] } }), "args.meta.list.1.k"],
      ["NUL in run_id", refund(args, { run_id: "run_\u0000" }), "run_id"],
      ["lone surrogate in run_id", refund(args, { run_id: "run_\ud83d" }), "run_id"],
      ["NUL in context", refund(args, { context: { reason: "\u0000" } }), "context.reason"],
      ["lone surrogate in resource.id", refund(args, { resource: { type: "charge", id: "\ud800" } }), "resource.id"],
      ["NUL in approval_id", refund(args, { approval_id: "apr_\u0000" }), "approval_id"],
    ];
    const { sent } = await sentDuring(async () => {
      for (const [name, body, path] of cases) {
        // JSON.stringify writes NUL as \u0000 and a lone surrogate as \udXXX: valid JSON text.
        expect(body, name).toMatch(/\\u0000|\\ud[89a-f]/);
        const answer = await gw(body);
        expect({ name, status: answer.status, code: answer.body.error?.code }).toEqual({ name, status: 400, code: "validation_failed" });
        expect((answer.body.error!.details as { path: string }[]).map((d) => d.path), name).toContain(path);
      }
    });
    expect(sent).toEqual([]);
    // A key the request does not have is dropped before the check, and never sent anywhere.
    const unknownKey = await sentDuring(() => gw(refund(args, { "x\u0000": "\ud800" })));
    expect(outcome(unknownKey.answer)).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
    expect(unknownKey.sent.map((r) => r.body)).toEqual(['{"amount_cents":5}']);
    // A well-formed pair (an emoji) is ordinary text.
    const emoji = await sentDuring(() => gw(refund({ ...args, reason: "\ud83d\ude00" })));
    expect(outcome(emoji.answer)).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
    expect(JSON.parse(emoji.sent[0]!.body)).toEqual({ amount_cents: 5, reason: "\u{1F600}" });
  });

  it("decodes invalid UTF-8 bytes as U+FFFD, so what is decided is exactly what is sent", async () => {
    const body = Buffer.concat([Buffer.from('{"run_id":"run_hostile","args":{"amount_cents":5,"charge_id":"ch_'), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80, 0xc3]), Buffer.from('"}}')]);
    const { answer, sent } = await sentDuring(() => gw(body));
    expect(outcome(answer)).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
    expect(sent.map((r) => r.url)).toEqual([`/v1/charges/ch_${"%EF%BF%BD".repeat(6)}/refunds`]);
  });

  it("refuses 10,000 and 100,000 levels of nesting with 400 validation_failed, promptly, and sends nothing", async () => {
    const deep = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;
    const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const bodies = [
      `{"run_id":"r","args":{"charge_id":"ch_1","amount_cents":5,"deep":${deep(10_000)}}}`,
      `{"run_id":"r","args":{"charge_id":"ch_1","amount_cents":5,"deep":${deepObject(100_000)}}}`,
      `{"run_id":"r","args":{"charge_id":"ch_1","amount_cents":5},"context":{"x":${deep(10_000)}}}`,
      `{"run_id":"r","args":{"charge_id":"ch_1","amount_cents":5},"context":{"x":${deepObject(10_000)}}}`,
    ];
    const { sent } = await sentDuring(async () => {
      for (const body of bodies) {
        const started = Date.now();
        const answer = await gw(body);
        expect({ status: answer.status, code: answer.body.error?.code, message: (answer.body.error?.details as { message: string }[] | undefined)?.[0]?.message }).toEqual({
          status: 400,
          code: "validation_failed",
          message: "Nested deeper than 64 levels.",
        });
        expect(Date.now() - started).toBeLessThan(3_000);
      }
    });
    expect(sent).toEqual([]);
    // Under a key the request does not have, nesting is dropped unread.
    const unknownKey = await sentDuring(() => gw(`{"run_id":"r","args":{"charge_id":"ch_1","amount_cents":5},"nothing":${deep(100_000)}}`));
    expect(outcome(unknownKey.answer)).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
    expect(unknownKey.sent.map((r) => r.body)).toEqual(['{"amount_cents":5}']);
  });

  it("takes a 100,000-item array and a 1 MB string as data (decided, sent once, answered truncated), and a body past 5 MB as 413", async () => {
    const big = await sentDuring(() => gw(refund({ charge_id: "ch_1", amount_cents: 5, items: Array(100_000).fill(1), reason: "r".repeat(1024 * 1024) })));
    expect(outcome(big.answer)).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
    expect(big.answer.body.result).toMatchObject({ status: 201, truncated: true });
    expect(big.sent).toHaveLength(1);
    const sentArgs = JSON.parse(big.sent[0]!.body) as { items: unknown[]; reason: string };
    expect({ items: sentArgs.items.length, reason: sentArgs.reason.length }).toEqual({ items: 100_000, reason: 1024 * 1024 });
    const tooBig = await sentDuring(() => gw(refund({ charge_id: "ch_1", amount_cents: 5, reason: "r".repeat(5 * 1024 * 1024) })));
    expect(outcome(tooBig.answer)).toEqual({ status: 413, code: "payload_too_large", reason: undefined });
    expect(tooBig.sent).toEqual([]);
  });

  it("reads duplicate keys as JSON.parse does (the last wins), for the decision and the upstream alike", async () => {
    const denied = await sentDuring(() => gw('{"run_id":"r","args":{"charge_id":"ch_1","amount_cents":5,"amount_cents":0}}'));
    expect(outcome(denied.answer)).toEqual({ status: 200, code: "deny", reason: "invalid_args" });
    expect(denied.sent).toEqual([]);
    const allowed = await sentDuring(() => gw('{"run_id":"r","args":{"charge_id":"../admin","amount_cents":0,"charge_id":"ch_2","amount_cents":7},"args":{"charge_id":"ch_3","amount_cents":9}}'));
    expect(outcome(allowed.answer)).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
    expect(allowed.sent.map((r) => [r.url, JSON.parse(r.body)])).toEqual([["/v1/charges/ch_3/refunds", { amount_cents: 9 }]]);
  });

  it("neither pollutes prototypes nor smuggles arguments through __proto__ and constructor keys", async () => {
    const smuggled = await sentDuring(async () => [
      await gw('{"run_id":"r","args":{"__proto__":{"charge_id":"ch_evil","amount_cents":5}}}'),
      await gw('{"run_id":"r","args":{"__proto__":{"charge_id":"ch_evil"},"amount_cents":5}}'),
      await gw('{"run_id":"r","__proto__":{"args":{"charge_id":"ch_evil","amount_cents":5}}}'),
    ]);
    expect(smuggled.answer.map(outcome)).toEqual([
      { status: 200, code: "deny", reason: "invalid_args" },
      { status: 200, code: "deny", reason: "invalid_args" },
      { status: 200, code: "deny", reason: "invalid_args" },
    ]);
    expect(smuggled.sent).toEqual([]);

    const text = '{"run_id":"r","args":{"charge_id":"ch_1","amount_cents":5,"constructor":{"prototype":{"polluted":"yes"}},"meta":{"__proto__":{"polluted":"yes"}}}}';
    const kept = await sentDuring(() => gw(text));
    expect(outcome(kept.answer)).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
    // Nested keys are data: sent as they came, as own keys.
    expect(kept.sent.map((r) => [r.url, r.body])).toEqual([["/v1/charges/ch_1/refunds", '{"amount_cents":5,"constructor":{"prototype":{"polluted":"yes"}},"meta":{"__proto__":{"polluted":"yes"}}}']]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});

describe("gateway: wait", () => {
  it("refuses a wait of the wrong type or out of range with 400 validation_failed on path wait", async () => {
    const args = '"args":{"charge_id":"ch_1","amount_cents":5}';
    const waits = ['"10"', "-1", "30.001", "31", "1e400", "-1e400", "1e308", "true", "null", "[]", "{}", '"Infinity"'];
    const { sent } = await sentDuring(async () => {
      for (const wait of waits) {
        const answer = await gw(`{"run_id":"r",${args},"wait":${wait}}`);
        expect({ wait, status: answer.status, code: answer.body.error?.code, paths: (answer.body.error?.details as { path: string }[]).map((d) => d.path) }).toEqual({
          wait,
          status: 400,
          code: "validation_failed",
          paths: ["wait"],
        });
      }
    });
    expect(sent).toEqual([]);
  });

  it("answers pending_approval at once for a wait of 0 or a few nanoseconds, without sending", async () => {
    const held = await createGatewayTenant(upstream.base, { approval: "always" });
    const { sent } = await sentDuring(async () => {
      for (const wait of [0, 1e-9, 5e-324]) {
        const started = Date.now();
        const answer = await gw(refund(undefined, { wait }), { token: held.token });
        expect({ wait, ...outcome(answer) }).toEqual({ wait, status: 200, code: "pending_approval", reason: expect.any(String) });
        expect(Date.now() - started).toBeLessThan(3_000);
      }
    });
    expect(sent).toEqual([]);
  });
});

describe("gateway: approval_id", () => {
  it("denies a malformed, unknown, pending, expired, denied, mismatched, foreign, another agent's and used approval id; only the one right redemption is sent", async () => {
    const held = await createGatewayTenant(upstream.base, { approval: "always" });
    const foreign = await createGatewayTenant(upstream.base, { approval: "always" });
    const approver = await approverOf(held.tenant);
    const foreignApprover = await approverOf(foreign.tenant);
    // A second agent of the same tenant.
    const other = await withTenant({ tenantId: held.tenant.id }, (tx) => tx.agent.create({ data: { tenantId: held.tenant.id, name: `other-${Date.now()}`, ownerId: held.owner.user.id, labels: ["support"] } }));
    const otherToken = (await signAgentToken({ agentId: other.id, tenantId: held.tenant.id, credentialId: (await createTestCredential(held.tenant.id, other.id)).id, ttlSeconds: 600 })).token;

    const action = (amount: number) => ({ charge_id: "ch_1", amount_cents: amount });
    const ask = async (token: string, amount: number) => {
      const answer = await gw(refund(action(amount)), { token });
      expect(outcome(answer)).toMatchObject({ status: 200, code: "pending_approval" });
      return answer.body.approval!.id;
    };
    const approved = await ask(held.token, 100);
    await voteOnApproval({ actor: approver, approvalId: approved, verdict: "approve" });
    const pending = await ask(held.token, 101);
    const denied = await ask(held.token, 102);
    await voteOnApproval({ actor: approver, approvalId: denied, verdict: "deny" });
    const expired = await ask(held.token, 103);
    await withTenant({ tenantId: held.tenant.id }, (tx) => tx.approval.update({ where: { id: expired }, data: { expiresAt: new Date(Date.now() - 1_000) } }));
    const foreignApproved = await ask(foreign.token, 104);
    await voteOnApproval({ actor: foreignApprover, approvalId: foreignApproved, verdict: "approve" });
    const othersApproved = await ask(otherToken, 105);
    await voteOnApproval({ actor: approver, approvalId: othersApproved, verdict: "approve" });

    const redeem = (approvalId: unknown, amount: number, token = held.token) => gw(refund(action(amount), { approval_id: approvalId }), { token });
    const { sent } = await sentDuring(async () => {
      const refused: [unknown, number, number, string, string | undefined][] = [
        ["", 100, 400, "validation_failed", undefined],
        ["a".repeat(65), 100, 400, "validation_failed", undefined],
        [123, 100, 400, "validation_failed", undefined],
        [[approved], 100, 400, "validation_failed", undefined],
        [{ id: approved }, 100, 400, "validation_failed", undefined],
        ["apr_doesnotexist", 100, 200, "deny", "approval_not_found"],
        ["' OR '1'='1", 100, 200, "deny", "approval_not_found"],
        ["%", 100, 200, "deny", "approval_not_found"],
        [`${approved} `, 100, 200, "deny", "approval_not_found"],
        [approved.toUpperCase(), 100, 200, "deny", "approval_not_found"],
        [pending, 101, 200, "deny", "approval_pending"],
        [expired, 103, 200, "deny", "approval_expired"],
        [denied, 102, 200, "deny", "approval_denied"],
        [approved, 999, 200, "deny", "approval_mismatch"],
        // Another tenant's, and another agent's: the same answer as an id that does not exist.
        [foreignApproved, 104, 200, "deny", "approval_not_found"],
        [othersApproved, 105, 200, "deny", "approval_not_found"],
      ];
      for (const [approvalId, amount, status, code, reason] of refused) {
        expect({ approvalId, ...outcome(await redeem(approvalId, amount)) }).toEqual({ approvalId, status, code, reason });
      }
      // The mismatch did not use it up: the right action redeems it, once.
      const first = await redeem(approved, 100);
      expect(first.body).toMatchObject({ decision: "allow", result: { status: 201 } });
      expect(outcome(await redeem(approved, 100))).toEqual({ status: 200, code: "deny", reason: "approval_already_used" });
      // Nor were the foreign and other agents' approvals used by the attempts.
      expect((await redeem(foreignApproved, 104, foreign.token)).body).toMatchObject({ decision: "allow", result: { status: 201 } });
    });
    expect(sent.map((r) => [r.headers["x-api-key"], JSON.parse(r.body)])).toEqual([
      [held.secret, { amount_cents: 100 }],
      [foreign.secret, { amount_cents: 104 }],
    ]);
  });
});

describe("gateway: path arguments", () => {
  it("puts hostile path arguments into one encoded segment of the operation's path, on the upstream's host", async () => {
    const cases: [string, string][] = [
      ["%2e%2e", "%252e%252e"],
      ["%2F..%2Fadmin", "%252F..%252Fadmin"],
      ["..%2f..%2fadmin", "..%252f..%252fadmin"],
      ["a/../../b", "a%2F..%2F..%2Fb"],
      ["..\\..\\admin", "..%5C..%5Cadmin"],
      ["...", "..."],
      ["a?b=c&d=e#frag", "a%3Fb%3Dc%26d%3De%23frag"],
      ["x\r\nX-Injected: 1\r\n\r\nGET /evil HTTP/1.1", "x%0D%0AX-Injected%3A%201%0D%0A%0D%0AGET%20%2Fevil%20HTTP%2F1.1"],
      ["@evil.example", "%40evil.example"],
      ["//evil.example/x", "%2F%2Fevil.example%2Fx"],
      ["http://evil.example/", "http%3A%2F%2Fevil.example%2F"],
      ["ü/é\u202e", "%C3%BC%2F%C3%A9%E2%80%AE"],
      [" ", "%20"],
      ["x".repeat(8_000), "x".repeat(8_000)],
    ];
    const { sent } = await sentDuring(async () => {
      for (const [chargeId] of cases) {
        const answer = await gw(refund({ charge_id: chargeId, amount_cents: 5 }));
        expect({ chargeId: chargeId.slice(0, 30), ...outcome(answer) }).toEqual({ chargeId: chargeId.slice(0, 30), status: 200, code: "allow", reason: "allowed_by_rule" });
      }
    });
    expect(sent.map((r) => r.url)).toEqual(cases.map(([, encoded]) => `/v1/charges/${encoded}/refunds`));
    for (const r of sent) {
      expect(r.headers.host).toBe(new URL(upstream.base).host);
      expect(r.headers["x-injected"]).toBeUndefined();
      expect(r.method).toBe("POST");
    }
  });

  it("hands a 1 MB path argument to the upstream as it is and answers the upstream's own refusal (431) as the result", async () => {
    const { answer, sent } = await sentDuring(() => gw(refund({ charge_id: "x".repeat(1024 * 1024), amount_cents: 5 })));
    expect(outcome(answer)).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
    expect(answer.body.result).toMatchObject({ status: 431, body: "", truncated: false });
    // node:http refused the request line before any handler saw it.
    expect(sent).toEqual([]);
  });

  it("refuses a path argument of \".\" or \"\" with 400 validation_failed, and denies a non-string one, sending nothing", async () => {
    const { sent } = await sentDuring(async () => {
      expect(outcome(await gw(refund({ charge_id: ".", amount_cents: 5 })))).toEqual({ status: 400, code: "validation_failed", reason: undefined });
      expect(outcome(await gw(refund({ charge_id: "", amount_cents: 5 })))).toEqual({ status: 400, code: "validation_failed", reason: undefined });
      for (const chargeId of [{ a: 1 }, ["a", "b"], null, 7])
        expect({ chargeId, ...outcome(await gw(refund({ charge_id: chargeId, amount_cents: 5 }))) }).toEqual({ chargeId, status: 200, code: "deny", reason: "invalid_args" });
    });
    expect(sent).toEqual([]);
  });
});

describe("gateway: tool and operation names in the URL", () => {
  it("decodes the names once and answers encoded slashes, NUL, bad escapes, unicode and overlong names exactly", async () => {
    const body = refund();
    const cases: [string, number, string, string | undefined][] = [
      ["/api/v1/gateway/stripe%2Frefunds.create/x", 200, "deny", "unknown_tool"],
      ["/api/v1/gateway/stripe%2F..%2F..%2Fgithub/repos.get", 200, "deny", "unknown_tool"],
      ["/api/v1/gateway/stripe/refunds.create%2F..", 200, "deny", "unknown_operation"],
      ["/api/v1/gateway/stripe/..%2Frefunds.create", 200, "deny", "unknown_operation"],
      ["/api/v1/gateway/stripe%00/refunds.create", 404, "not_found", undefined],
      ["/api/v1/gateway/stripe/refunds.create%00", 404, "not_found", undefined],
      ["/api/v1/gateway/%ED%A0%80/refunds.create", 404, "not_found", undefined],
      ["/api/v1/gateway/stripe/%E0%A4%A", 404, "not_found", undefined],
      ["/api/v1/gateway/stripe/%", 404, "not_found", undefined],
      [`/api/v1/gateway/${"s".repeat(600)}/refunds.create`, 404, "not_found", undefined],
      [`/api/v1/gateway/stripe/${"o".repeat(600)}`, 404, "not_found", undefined],
      [`/api/v1/gateway/${"s".repeat(300)}/refunds.create`, 200, "deny", "unknown_tool"],
      ["/api/v1/gateway/str%C3%AFpe/refunds.create", 200, "deny", "unknown_tool"],
      ["/api/v1/gateway/%EF%BC%B3tripe/refunds.create", 200, "deny", "unknown_tool"],
      ["/api/v1/gateway/Stripe/refunds.create", 200, "deny", "unknown_tool"],
      ["/api/v1/gateway/__proto__/refunds.create", 200, "deny", "unknown_tool"],
      ["/api/v1/gateway/constructor/toString", 200, "deny", "unknown_tool"],
      ["/api/v1/gateway/stripe/__proto__", 200, "deny", "unknown_operation"],
      ["/api/v1/gateway/stripe/hasOwnProperty", 200, "deny", "unknown_operation"],
      ["/api/v1/gateway/stripe/refunds.create%20", 200, "deny", "unknown_operation"],
      ["/api/v1/gateway/%2e%2e/refunds.create", 404, "not_found", undefined],
      ["/api/v1/gateway/stripe/refunds.create/extra", 404, "not_found", undefined],
      ["/api/v1/gateway/stripe/", 404, "not_found", undefined],
      ["/api/v1/gateway//refunds.create", 404, "not_found", undefined],
    ];
    const { sent } = await sentDuring(async () => {
      for (const [path, status, code, reason] of cases) {
        expect({ path: path.slice(0, 80), ...outcome(await raw(path, { body, headers: json() })) }).toEqual({ path: path.slice(0, 80), status, code, reason });
      }
    });
    expect(sent).toEqual([]);
    // An escaped "." is the same name; a query string names nothing.
    const same = await sentDuring(async () => [await raw("/api/v1/gateway/s%74ripe/refunds%2Ecreate", { body, headers: json() }), await raw(`${PATH}?tool=github&operation=pulls.merge`, { body, headers: json() })]);
    expect(same.answer.map(outcome)).toEqual([
      { status: 200, code: "allow", reason: "allowed_by_rule" },
      { status: 200, code: "allow", reason: "allowed_by_rule" },
    ]);
    expect(same.sent.map((r) => r.url)).toEqual(["/v1/charges/ch_1/refunds", "/v1/charges/ch_1/refunds"]);
  });

  it("answers other methods with 405 naming POST", async () => {
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      const answer = await raw(PATH, { method, headers: json(), ...(method !== "GET" && { body: refund() }) });
      expect({ method, status: answer.status, allow: answer.headers.allow, code: answer.body.error?.code }).toEqual({ method, status: 405, allow: "POST", code: "method_not_allowed" });
    }
  });
});

describe("gateway: spoofed headers", () => {
  it("ignores Host, X-Forwarded-*, Forwarded and a hostile X-Request-Id, and forwards none of the agent's headers upstream", async () => {
    const { answer, sent } = await sentDuring(() =>
      gw(refund(), {
        headers: {
          host: "evil.example",
          "x-forwarded-host": "evil.example",
          "x-forwarded-for": "169.254.169.254",
          "x-forwarded-proto": "https",
          forwarded: "for=169.254.169.254;host=evil.example;proto=https",
          "x-gatehouse-peer": "6.6.6.6",
          "x-request-id": "<script>alert(1)</script>",
          "x-api-key": "sk_agent_supplied_key",
          cookie: "session=stolen",
          "x-gatehouse-run-id": "run_other",
          "proxy-authorization": "Basic c3B5OnNweQ==",
        },
      }),
    );
    expect(outcome(answer)).toEqual({ status: 200, code: "allow", reason: "allowed_by_rule" });
    expect(answer.headers["x-request-id"]).toMatch(/^req_[0-9a-f]{32}$/);
    expect(answer.text).not.toMatch(/evil\.example|<script>|169\.254/);
    expect(answer.text).not.toContain(open.secret);
    expect(sent).toHaveLength(1);
    const headers = sent[0]!.headers;
    expect(headers.host).toBe(new URL(upstream.base).host);
    expect(headers["x-api-key"]).toBe(open.secret);
    for (const name of ["authorization", "cookie", "x-forwarded-host", "x-forwarded-for", "x-forwarded-proto", "forwarded", "x-gatehouse-peer", "x-request-id", "x-gatehouse-run-id", "proxy-authorization"]) expect(headers[name], name).toBeUndefined();
  });
});
