/**
 * POST /api/v1/oauth/token against API.md §1, through the route handler with real
 * Postgres and Redis: the three grants, RFC 6749 §5.2 errors, rotation overlap, brute-force
 * protection and what each issuance records. Tokens are then used on GET /api/v1/whoami.
 */
import { randomInt, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, createLocalJWKSet, decodeJwt, exportJWK, exportSPKI, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { addCredential } from "@/lib/agents/add-credential";
import { changeAgentStatus } from "@/lib/agents/change-agent-status";
import { createAgent } from "@/lib/agents/create-agent";
import { revokeCredential } from "@/lib/agents/revoke-credential";
import { rotateClientSecret } from "@/lib/agents/rotate-client-secret";
import { createAgentInput } from "@/lib/agents/schemas";
import { ensureSigningKey } from "@/lib/agents/signing-keys";
import { MAX_BACKOFF_SECONDS } from "@/lib/agents/token-guard";
import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { PEER_HEADER } from "@/lib/http/client-address";
import { AppError } from "@/lib/errors";
import { engageKillSwitch, liftKillSwitch } from "@/lib/kill-switches/engage-kill-switch";
import { createTestTenant, uniq } from "@/lib/testing/factories";
import { GET as jwksGet } from "@/app/api/v1/oauth/jwks/route";
import { POST as tokenPost } from "@/app/api/v1/oauth/token/route";
import { GET as whoamiGet } from "@/app/api/v1/whoami/route";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

// The configured public URL: the audience of client assertions, whatever Host a request names.
const ORIGIN = vi.hoisted(() => (process.env.PUBLIC_URL = "http://gatehouse.test"));
const TOKEN_URL = `${ORIGIN}/api/v1/oauth/token`;
const FORM = "application/x-www-form-urlencoded";
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";

const ctx = () => ({ params: Promise.resolve({}) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nowS = () => Math.floor(Date.now() / 1000);

// Each test sends from its own address (the TCP peer our servers stamp) so the per-address
// failure limit (100) never carries over from one test to the next.
const ipBase = randomInt(1, 250);
let ipCounter = 0;
const freshIp = () => `10.${ipBase}.${(++ipCounter >> 8) & 255}.${ipCounter & 255}`;

type TokenAnswer = { status: number; headers: Headers; body: Record<string, unknown> };

async function postToken(
  params: Record<string, string>,
  opts: { ip?: string; contentType?: string | null; body?: string; url?: string; headers?: Record<string, string> } = {},
): Promise<TokenAnswer> {
  const headers: Record<string, string> = { [PEER_HEADER]: opts.ip ?? freshIp(), ...opts.headers };
  if (opts.contentType !== null) headers["content-type"] = opts.contentType ?? FORM;
  const res = await tokenPost(new Request(opts.url ?? TOKEN_URL, { method: "POST", headers, body: opts.body ?? new URLSearchParams(params).toString() }));
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const secretGrant = (clientId: string, secret: string) => ({ grant_type: "client_credentials", client_id: clientId, client_secret: secret });
const assertionGrant = (clientId: string, assertion: string) => ({
  grant_type: "client_credentials",
  client_id: clientId,
  client_assertion_type: ASSERTION_TYPE,
  client_assertion: assertion,
});
const exchangeGrant = (subjectToken: string) => ({ grant_type: TOKEN_EXCHANGE, subject_token: subjectToken, subject_token_type: JWT_TOKEN_TYPE });

/** Posts a grant that must succeed; returns the access token. */
async function mustIssue(params: Record<string, string>, ip?: string): Promise<string> {
  const answer = await postToken(params, { ip });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.access_token as string;
}

async function whoami(token: string) {
  const res = await whoamiGet(new Request(`${ORIGIN}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } }), ctx());
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

/** A fresh tenant and agent (tokens live `ttlMinutes`), created through the services. */
async function newAgent(opts: { ttlMinutes?: number } = {}) {
  const { tenant, owner } = await createTestTenant();
  const agent = await createAgent({
    actor: owner,
    agent: createAgentInput.parse({ name: `bot-${uniq()}`, ownerId: owner.user.id, tokenTtlMinutes: opts.ttlMinutes ?? 15 }),
  });
  return { tenant, owner, agent };
}

async function addSecret(owner: MemberContext, agentId: string, expiresAt?: string) {
  const { credential, clientSecret } = await addCredential({ actor: owner, agentId, credential: { kind: "client_secret", label: "ci", expiresAt } });
  return { credentialId: credential.id, secret: clientSecret! };
}

async function newAgentWithSecret(opts: { ttlMinutes?: number } = {}) {
  const created = await newAgent(opts);
  return { ...created, ...(await addSecret(created.owner, created.agent.id)) };
}

const readAgent = (tenantId: string, agentId: string) => withTenant({ tenantId }, (tx) => tx.agent.findUniqueOrThrow({ where: { id: agentId } }));
const readCredential = (tenantId: string, id: string) => withTenant({ tenantId }, (tx) => tx.agentCredential.findUniqueOrThrow({ where: { id } }));
const readTokenRow = (tenantId: string, jti: string) => withTenant({ tenantId }, (tx) => tx.agentToken.findUnique({ where: { jti } }));
const auditEntries = (tenantId: string, agentId: string, action: string) =>
  withTenant({ tenantId }, (tx) => tx.auditEntry.findMany({ where: { tenantId, action, targetId: agentId }, orderBy: { seq: "asc" } }));

/** Expects `promise` to reject with an AppError of this code. */
async function expectAppError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

async function es256() {
  return generateKeyPair("ES256", { extractable: true });
}

/** An RFC 7523 client assertion. `expIn` in seconds from now. */
function clientAssertion(privateKey: CryptoKey, claims: { iss: string; sub?: string; aud?: string; kid?: string; expIn?: number; jti?: string }) {
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", ...(claims.kid && { kid: claims.kid }) })
    .setIssuer(claims.iss)
    .setSubject(claims.sub ?? claims.iss)
    .setAudience(claims.aud ?? TOKEN_URL)
    .setJti(claims.jti ?? randomUUID())
    .setIssuedAt()
    .setExpirationTime(nowS() + (claims.expIn ?? 120))
    .sign(privateKey);
}

beforeAll(async () => {
  await ensureSigningKey();
});

// ---------------------------------------------------------------------------------------
// client_credentials with client_secret
// ---------------------------------------------------------------------------------------

describe("client_credentials with a client secret", () => {
  it("issues {access_token, token_type, expires_in}: an ES256 JWT verifiable with the JWKS, naming agent, tenant, credential", async () => {
    const { tenant, agent, credentialId, secret } = await newAgentWithSecret({ ttlMinutes: 7 });
    const answer = await postToken(secretGrant(agent.id, secret));

    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(answer.body).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    expect(answer.body).toMatchObject({ token_type: "Bearer", expires_in: 7 * 60 });

    const jwksRes = await jwksGet(new Request(`${ORIGIN}/api/v1/oauth/jwks`), ctx());
    expect(jwksRes.status).toBe(200);
    const jwks = (await jwksRes.json()) as { keys: JWK[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) expect(Object.keys(key)).not.toContain("d"); // public halves only

    const { payload, protectedHeader } = await jwtVerify(answer.body.access_token as string, createLocalJWKSet(jwks), { algorithms: ["ES256"] });
    expect(protectedHeader.alg).toBe("ES256");
    expect(jwks.keys.map((k) => k.kid)).toContain(protectedHeader.kid);
    expect(payload).toMatchObject({ sub: agent.id, tid: tenant.id, cid: credentialId });
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.exp! - payload.iat!).toBe(7 * 60);

    const me = await whoami(answer.body.access_token as string);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ agent_id: agent.id, tenant_id: tenant.id, token_id: payload.jti });
  });

  it("answers 401 invalid_client with one description for wrong, malformed, foreign secrets and unknown clients", async () => {
    const { owner, agent, credentialId, secret } = await newAgentWithSecret();
    // Another agent of the same tenant: the likeliest mix-up.
    const peer = await createAgent({ actor: owner, agent: createAgentInput.parse({ name: `peer-${uniq()}`, ownerId: owner.user.id }) });
    const peerSecret = await addSecret(owner, peer.id);
    const otherTenant = await newAgentWithSecret();
    const wrongRandomPart = `ghs.${credentialId}.${"A".repeat(43)}`;

    const attempts = {
      "wrong secret": secretGrant(agent.id, wrongRandomPart),
      "unknown client": secretGrant(`agt_${uniq()}${uniq()}`, secret),
      "malformed secret": secretGrant(agent.id, "hunter2"),
      "secret of another agent, same tenant": secretGrant(agent.id, peerSecret.secret),
      "secret of an agent in another tenant": secretGrant(agent.id, otherTenant.secret),
      "right secret, other agent's client id": secretGrant(peer.id, secret),
    };
    const bodies = new Set<string>();
    for (const [what, params] of Object.entries(attempts)) {
      const answer = await postToken(params);
      expect(answer.status, what).toBe(401);
      expect(answer.body.error, what).toBe("invalid_client");
      expect(Object.keys(answer.body).sort(), what).toEqual(["error", "error_description"]);
      bodies.add(JSON.stringify(answer.body));
    }
    expect([...bodies]).toHaveLength(1); // no hint which part was wrong
    expect(await postToken(secretGrant(agent.id, secret)).then((a) => a.status)).toBe(200); // the right one still works
  });

  it("answers 400 invalid_request for missing or conflicting parameters", async () => {
    const { agent, secret } = await newAgentWithSecret();
    const cases: Record<string, Record<string, string>> = {
      "no client_id": { grant_type: "client_credentials", client_secret: secret },
      "no credential": { grant_type: "client_credentials", client_id: agent.id },
      "secret and assertion": { ...secretGrant(agent.id, secret), client_assertion_type: ASSERTION_TYPE, client_assertion: "a.b.c" },
      "assertion without its type": { grant_type: "client_credentials", client_id: agent.id, client_assertion: "a.b.c" },
      "exchange without subject_token": { grant_type: TOKEN_EXCHANGE, subject_token_type: JWT_TOKEN_TYPE },
      "exchange without subject_token_type": { grant_type: TOKEN_EXCHANGE, subject_token: "a.b.c" },
    };
    for (const [what, params] of Object.entries(cases)) {
      const answer = await postToken(params);
      expect(answer.status, what).toBe(400);
      expect(answer.body.error, what).toBe("invalid_request");
      expect(answer.body.error_description, what).toEqual(expect.any(String));
    }
  });

  it("answers 400 invalid_grant, never a 500, to a subject token whose unverified claims no binding could hold", async () => {
    const unsigned = (payload: Record<string, unknown>) => `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;
    for (const payload of [{ iss: "https://x\u0000", sub: "s" }, { iss: "https://x", sub: "\ud800" }, { iss: 42, sub: "s" }, { iss: "https://x", sub: { a: 1 } }, { iss: `https://${"x".repeat(5_000)}`, sub: "s" }]) {
      const answer = await postToken(exchangeGrant(unsigned(payload)));
      expect(answer.status, JSON.stringify(payload).slice(0, 60)).toBe(400);
      expect(answer.body.error).toBe("invalid_grant");
    }
  });

  it("answers 400 invalid_request to a body that is not form-encoded", async () => {
    const { agent, secret } = await newAgentWithSecret();
    const json = await postToken({}, { contentType: "application/json", body: JSON.stringify(secretGrant(agent.id, secret)) });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe("invalid_request");
    const none = await postToken({}, { contentType: null, body: new URLSearchParams(secretGrant(agent.id, secret)).toString() });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe("invalid_request");
    // A charset parameter is fine.
    expect((await postToken(secretGrant(agent.id, secret), { contentType: `${FORM}; charset=UTF-8` })).status).toBe(200);
  });

  it("answers 400 unsupported_grant_type to an unknown grant", async () => {
    const { agent, secret } = await newAgentWithSecret();
    for (const grant of ["password", "authorization_code", "client_credential"]) {
      const answer = await postToken({ ...secretGrant(agent.id, secret), grant_type: grant });
      expect(answer.status, grant).toBe(400);
      expect(answer.body.error, grant).toBe("unsupported_grant_type");
    }
  });

  // RFC 6749 §5.2: a request "missing a required parameter" is invalid_request;
  // unsupported_grant_type is for a grant type the server does not support.
  it("answers 400 invalid_request when grant_type is missing (RFC 6749 §5.2)", async () => {
    const { agent, secret } = await newAgentWithSecret();
    const answer = await postToken({ client_id: agent.id, client_secret: secret });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_request");
  });

  it("refuses (401) a credential past its expiry and a revoked one", async () => {
    const { tenant, owner, agent, credentialId, secret } = await newAgentWithSecret();
    expect((await postToken(secretGrant(agent.id, secret))).status).toBe(200);
    await withTenant({ tenantId: tenant.id }, (tx) => tx.agentCredential.update({ where: { id: credentialId }, data: { expiresAt: new Date(Date.now() - 1000) } }));
    const expired = await postToken(secretGrant(agent.id, secret));
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe("invalid_client");

    const second = await addSecret(owner, agent.id);
    expect((await postToken(secretGrant(agent.id, second.secret))).status).toBe(200);
    await revokeCredential({ actor: owner, agentId: agent.id, credentialId: second.credentialId, reason: "leaked in a log" });
    const revoked = await postToken(secretGrant(agent.id, second.secret));
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toBe("invalid_client");
  });

  it("refuses (401) suspended and decommissioned agents, and issues again once reactivated", async () => {
    const { tenant, owner, agent, secret } = await newAgentWithSecret();
    await changeAgentStatus({ actor: owner, agentId: agent.id, status: "suspended", reason: "investigating" });
    const suspended = await postToken(secretGrant(agent.id, secret));
    expect(suspended.status).toBe(401);
    expect(suspended.body.error).toBe("invalid_client");
    await changeAgentStatus({ actor: owner, agentId: agent.id, status: "active", reason: "all clear" });
    expect((await postToken(secretGrant(agent.id, secret))).status).toBe(200);

    // The status alone must refuse: decommissioned, with its credential deliberately left unrevoked.
    await withTenant({ tenantId: tenant.id }, (tx) => tx.agent.update({ where: { id: agent.id }, data: { status: "decommissioned" } }));
    const decommissioned = await postToken(secretGrant(agent.id, secret));
    expect(decommissioned.status).toBe(401);
    expect(decommissioned.body.error).toBe("invalid_client");

    // And through the service (which also revokes every credential).
    const other = await newAgentWithSecret();
    await changeAgentStatus({ actor: other.owner, agentId: other.agent.id, status: "decommissioned", reason: "retired" });
    expect((await postToken(secretGrant(other.agent.id, other.secret))).status).toBe(401);
  });

  it("ends every token issued before a suspension: after reactivation the old token is 401, a new one (even from the same second) 200", async () => {
    const { owner, agent, secret } = await newAgentWithSecret();
    const old = await mustIssue(secretGrant(agent.id, secret));
    expect((await whoami(old)).status).toBe(200);
    await changeAgentStatus({ actor: owner, agentId: agent.id, status: "suspended", reason: "leaked token" });
    expect((await whoami(old)).body.error?.code).toBe("agent_suspended");
    await changeAgentStatus({ actor: owner, agentId: agent.id, status: "active", reason: "rotated" });

    const stale = await whoami(old);
    expect(stale.status).toBe(401);
    expect(stale.body.error?.code).toBe("invalid_token");
    const fresh = await mustIssue(secretGrant(agent.id, secret));
    expect((await whoami(fresh)).status).toBe(200);
  });

  // API.md "Errors": 403 = valid token but not allowed (agent suspended or decommissioned).
  it("answers 403 agent_decommissioned to an outstanding token after decommissioning", async () => {
    const { owner, agent, secret } = await newAgentWithSecret();
    const token = await mustIssue(secretGrant(agent.id, secret));
    await changeAgentStatus({ actor: owner, agentId: agent.id, status: "decommissioned", reason: "retired" });
    const me = await whoami(token);
    expect(me.status).toBe(403);
    expect(me.body.error?.code).toBe("agent_decommissioned");
  });

  it("refuses (401) every agent of a tenant while its kill switch is on, and issues again once lifted", async () => {
    const { owner, agent, secret } = await newAgentWithSecret();
    const token = await mustIssue(secretGrant(agent.id, secret));
    const engaged = await engageKillSwitch({ actor: owner, request: { scope: "tenant", reason: "incident drill" } });
    if (!("killSwitch" in engaged)) throw new Error("a tenant kill switch returns its row");
    const killed = await postToken(secretGrant(agent.id, secret));
    expect(killed.status).toBe(401);
    expect(killed.body.error).toBe("invalid_client");
    const me = await whoami(token);
    expect(me.status).toBe(403);
    expect(me.body.error?.code).toBe("tenant_killed");

    await liftKillSwitch({ actor: owner, killSwitchId: engaged.killSwitch.id });
    expect((await postToken(secretGrant(agent.id, secret))).status).toBe(200);
    expect((await whoami(token)).status).toBe(200);
  });

  it("records each issuance: an agent_tokens row, the credential's lastUsedAt, the agent's lastSeenAt", async () => {
    const { tenant, agent, credentialId, secret } = await newAgentWithSecret({ ttlMinutes: 5 });
    expect((await readCredential(tenant.id, credentialId)).lastUsedAt).toBeNull();
    expect((await readAgent(tenant.id, agent.id)).lastSeenAt).toBeNull();

    const ip = freshIp();
    const before = Date.now();
    const token = await mustIssue(secretGrant(agent.id, secret), ip);
    const after = Date.now();
    const { jti } = decodeJwt(token);

    const row = await readTokenRow(tenant.id, jti!);
    expect(row).toMatchObject({ tenantId: tenant.id, agentId: agent.id, credentialId, grantType: "client_secret", sourceIp: ip });
    expect(row!.issuedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row!.issuedAt.getTime()).toBeLessThanOrEqual(after + 1000);
    expect(Math.abs(row!.expiresAt.getTime() - row!.issuedAt.getTime() - 300_000)).toBeLessThan(2000);

    const lastUsed = (await readCredential(tenant.id, credentialId)).lastUsedAt!;
    const lastSeen = (await readAgent(tenant.id, agent.id)).lastSeenAt!;
    for (const at of [lastUsed, lastSeen]) {
      expect(at.getTime()).toBeGreaterThanOrEqual(before);
      expect(at.getTime()).toBeLessThanOrEqual(after);
    }

    // A second issuance is a second row and moves the timestamps forward.
    await sleep(20);
    const second = decodeJwt(await mustIssue(secretGrant(agent.id, secret))).jti!;
    expect(second).not.toBe(jti);
    expect(await readTokenRow(tenant.id, second)).not.toBeNull();
    expect((await readCredential(tenant.id, credentialId)).lastUsedAt!.getTime()).toBeGreaterThan(lastUsed.getTime());
    expect((await readAgent(tenant.id, agent.id)).lastSeenAt!.getTime()).toBeGreaterThan(lastSeen.getTime());
  });
});

// ---------------------------------------------------------------------------------------
// Rotation
// ---------------------------------------------------------------------------------------

describe("client secret rotation", () => {
  it("with an overlap, old and new secrets both work until it ends; then the old secret and its tokens are refused", async () => {
    const { owner, agent, credentialId, secret: oldSecret } = await newAgentWithSecret();
    const tokenBefore = await mustIssue(secretGrant(agent.id, oldSecret));

    const overlapUntil = Date.now() + 2000;
    const rotated = await rotateClientSecret({ actor: owner, agentId: agent.id, credentialId, overlapUntil: new Date(overlapUntil).toISOString() });
    const newSecret = rotated.clientSecret;
    expect(rotated.retired).toMatchObject({ id: credentialId, revokedAt: null, expiresAt: new Date(overlapUntil).toISOString() });

    const tokenOldDuring = await mustIssue(secretGrant(agent.id, oldSecret));
    const tokenNew = await mustIssue(secretGrant(agent.id, newSecret));
    expect((await whoami(tokenBefore)).status).toBe(200);
    expect((await whoami(tokenOldDuring)).status).toBe(200);
    expect(decodeJwt(tokenNew).cid).toBe(rotated.credential.id);
    expect(Date.now(), "the overlap checks above must run before the overlap ends").toBeLessThan(overlapUntil);

    await sleep(overlapUntil - Date.now() + 500);
    const old = await postToken(secretGrant(agent.id, oldSecret));
    expect(old.status).toBe(401);
    expect(old.body.error).toBe("invalid_client");
    for (const token of [tokenBefore, tokenOldDuring]) {
      const me = await whoami(token);
      expect(me.status).toBe(401);
      expect(me.body.error?.code).toBe("invalid_token");
    }
    expect((await whoami(tokenNew)).status).toBe(200);
    expect((await postToken(secretGrant(agent.id, newSecret))).status).toBe(200);
  });

  it("without an overlap, the old secret and its tokens are refused at once", async () => {
    const { owner, agent, credentialId, secret: oldSecret } = await newAgentWithSecret();
    const oldToken = await mustIssue(secretGrant(agent.id, oldSecret));
    expect((await whoami(oldToken)).status).toBe(200); // warm the auth cache

    const rotated = await rotateClientSecret({ actor: owner, agentId: agent.id, credentialId });
    expect(rotated.retired.revokedAt).not.toBeNull();
    expect((await postToken(secretGrant(agent.id, oldSecret))).status).toBe(401);
    const me = await whoami(oldToken);
    expect(me.status).toBe(401);
    expect(me.body.error?.code).toBe("invalid_token");

    const newToken = await mustIssue(secretGrant(agent.id, rotated.clientSecret));
    expect((await whoami(newToken)).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------
// Brute force
// ---------------------------------------------------------------------------------------

describe("brute-force protection", () => {
  const wrongSecret = (credentialId: string) => `ghs.${credentialId}.${"B".repeat(43)}`;

  it("audits the 5th failure; past 5 failures from one address that address backs off, doubling, with 429 slow_down and Retry-After", { timeout: 60_000 }, async () => {
    const { tenant, agent, credentialId, secret } = await newAgentWithSecret();
    const ip = freshIp();
    const fail = async () => expect((await postToken(secretGrant(agent.id, wrongSecret(credentialId)), { ip })).status).toBe(401);

    for (let i = 0; i < 4; i++) await fail();
    expect(await auditEntries(tenant.id, agent.id, "agent.auth_failures")).toHaveLength(0);
    await fail(); // the 5th: still free, audited once
    const [burst] = await auditEntries(tenant.id, agent.id, "agent.auth_failures");
    expect(burst).toMatchObject({ actorType: "system", targetType: "agent", targetId: agent.id });
    expect(burst!.after).toMatchObject({ failures: 5, lastAddress: ip });
    expect((await postToken(secretGrant(agent.id, secret), { ip })).status).toBe(200); // a success does not count

    await fail(); // the 6th starts the backoff
    const waiting = await postToken(secretGrant(agent.id, secret), { ip }); // even the right secret waits
    expect(waiting.status).toBe(429);
    expect(waiting.body).toMatchObject({ error: "slow_down" });
    expect(Number(waiting.headers.get("retry-after"))).toBe(2);

    // Once the wait is over the address may try again; the next failure waits twice as long.
    await expect.poll(async () => (await postToken(secretGrant(agent.id, wrongSecret(credentialId)), { ip })).status, { timeout: 5_000, interval: 250 }).toBe(401);
    expect(Number((await postToken(secretGrant(agent.id, secret), { ip })).headers.get("retry-after"))).toBe(4);
    expect(await auditEntries(tenant.id, agent.id, "agent.auth_failures")).toHaveLength(1); // once per burst
  });

  it("does not let anyone lock an agent out: after 25 wrong secrets from address A, the right secret from B works and A waits", { timeout: 60_000 }, async () => {
    const { agent, credentialId, secret } = await newAgentWithSecret();
    const attacker = freshIp();
    const answers: number[] = [];
    for (let i = 0; i < 25; i++) answers.push((await postToken(secretGrant(agent.id, wrongSecret(credentialId)), { ip: attacker })).status);
    expect(answers.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(answers.slice(6).every((status) => status === 429)).toBe(true);

    expect((await postToken(secretGrant(agent.id, secret), { ip: freshIp() })).status).toBe(200);
    const blocked = await postToken(secretGrant(agent.id, secret), { ip: attacker });
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(MAX_BACKOFF_SECONDS);
  });

  it("takes the address from the peer, not X-Forwarded-For: rotating a spoofed header does not dodge the backoff", { timeout: 60_000 }, async () => {
    const { agent, credentialId, secret } = await newAgentWithSecret();
    const ip = freshIp();
    for (let i = 0; i < 6; i++) {
      const answer = await postToken(secretGrant(agent.id, wrongSecret(credentialId)), { ip, headers: { "x-forwarded-for": `203.0.113.${i}` } });
      expect(answer.status).toBe(401);
    }
    const spoofed = await postToken(secretGrant(agent.id, secret), { ip, headers: { "x-forwarded-for": "198.51.100.7" } });
    expect(spoofed.status).toBe(429);

    // And the token log records the peer, not what the header claims.
    const { tenant, agent: other, secret: otherSecret } = await newAgentWithSecret();
    const issued = await postToken(secretGrant(other.id, otherSecret), { ip, headers: { "x-forwarded-for": "198.51.100.7" } });
    expect(issued.status).toBe(200);
    expect(await readTokenRow(tenant.id, decodeJwt(issued.body.access_token as string).jti!)).toMatchObject({ sourceIp: ip });
  });

  it("another agent from the same address is not affected by one agent's backoff", async () => {
    const { agent, credentialId } = await newAgentWithSecret();
    const ip = freshIp();
    for (let i = 0; i < 7; i++) await postToken(secretGrant(agent.id, wrongSecret(credentialId)), { ip });
    const other = await newAgentWithSecret();
    expect((await postToken(secretGrant(other.agent.id, other.secret), { ip })).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------
// private_key_jwt (RFC 7523)
// ---------------------------------------------------------------------------------------

describe("client_credentials with a client assertion (private_key_jwt)", () => {
  async function agentWithKey() {
    const created = await newAgent();
    const { publicKey, privateKey } = await es256();
    const kid = `k-${uniq()}`;
    const jwk = { ...(await exportJWK(publicKey)), kid };
    const { credential } = await addCredential({ actor: created.owner, agentId: created.agent.id, credential: { kind: "public_key", label: "laptop", publicKey: JSON.stringify(jwk) } });
    return { ...created, kid, privateKey, credentialId: credential.id };
  }

  it("issues a token for an assertion signed by the registered key, and refuses the same assertion again", async () => {
    const { tenant, agent, kid, privateKey, credentialId } = await agentWithKey();
    const assertion = await clientAssertion(privateKey, { iss: agent.id, kid });

    const first = await postToken(assertionGrant(agent.id, assertion));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    const claims = decodeJwt(first.body.access_token as string);
    expect(claims).toMatchObject({ sub: agent.id, tid: tenant.id, cid: credentialId });
    expect(await readTokenRow(tenant.id, claims.jti!)).toMatchObject({ grantType: "private_key_jwt", credentialId });
    expect((await whoami(first.body.access_token as string)).status).toBe(200);

    const replay = await postToken(assertionGrant(agent.id, assertion));
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe("invalid_client");
    // A fresh assertion (new jti) works again.
    expect((await postToken(assertionGrant(agent.id, await clientAssertion(privateKey, { iss: agent.id, kid })))).status).toBe(200);
  });

  it("accepts an assertion that expires just under 5 minutes from now", async () => {
    const { agent, kid, privateKey } = await agentWithKey();
    expect((await postToken(assertionGrant(agent.id, await clientAssertion(privateKey, { iss: agent.id, kid, expIn: 290 })))).status).toBe(200);
  });

  it("refuses (401) wrong audience, expired, too long-lived, wrong issuer or subject, and unregistered keys", async () => {
    const { owner, agent, kid, privateKey } = await agentWithKey();
    const stranger = await es256();
    const otherAgent = await createAgent({ actor: owner, agent: createAgentInput.parse({ name: `peer-${uniq()}`, ownerId: owner.user.id }) });
    const cases: Record<string, Promise<string>> = {
      "audience of another server": clientAssertion(privateKey, { iss: agent.id, kid, aud: "https://elsewhere.example/api/v1/oauth/token" }),
      "audience of another path": clientAssertion(privateKey, { iss: agent.id, kid, aud: `${ORIGIN}/api/v1/whoami` }),
      "expired two minutes ago": clientAssertion(privateKey, { iss: agent.id, kid, expIn: -120 }),
      "expires in 10 minutes": clientAssertion(privateKey, { iss: agent.id, kid, expIn: 600 }),
      "expires in a day": clientAssertion(privateKey, { iss: agent.id, kid, expIn: 86_400 }),
      "issuer is another agent": clientAssertion(privateKey, { iss: otherAgent.id, sub: agent.id, kid }),
      "subject is another agent": clientAssertion(privateKey, { iss: agent.id, sub: otherAgent.id, kid }),
      "unregistered key, registered kid": clientAssertion(stranger.privateKey, { iss: agent.id, kid }),
      "unregistered key, no kid": clientAssertion(stranger.privateKey, { iss: agent.id }),
    };
    for (const [what, assertion] of Object.entries(cases)) {
      const answer = await postToken(assertionGrant(agent.id, await assertion));
      expect(answer.status, what).toBe(401);
      expect(answer.body.error, what).toBe("invalid_client");
    }
    // The key itself is fine: a correct assertion works after all those failures.
    expect((await postToken(assertionGrant(agent.id, await clientAssertion(privateKey, { iss: agent.id, kid })))).status).toBe(200);
  });

  it("takes the audience from the configured public URL, never from the Host the request names", async () => {
    const { agent, kid, privateKey } = await agentWithKey();
    const forged = "http://attacker.example/api/v1/oauth/token";
    const asHost = await postToken(assertionGrant(agent.id, await clientAssertion(privateKey, { iss: agent.id, kid, aud: forged })), {
      url: forged,
      headers: { host: "attacker.example" },
    });
    expect(asHost.status).toBe(401);
    expect(asHost.body.error).toBe("invalid_client");
    // The configured audience works whatever Host the request came in on (the agent API server's port, say).
    const configured = await postToken(assertionGrant(agent.id, await clientAssertion(privateKey, { iss: agent.id, kid })), {
      url: "http://127.0.0.1:3001/api/v1/oauth/token",
      headers: { host: "127.0.0.1:3001" },
    });
    expect(configured.status, JSON.stringify(configured.body)).toBe(200);
  });

  it("refuses (401) a valid assertion sent with another agent's client_id", async () => {
    const { agent, kid, privateKey } = await agentWithKey();
    const other = await agentWithKey();
    const answer = await postToken(assertionGrant(other.agent.id, await clientAssertion(privateKey, { iss: agent.id, kid })));
    expect(answer.status).toBe(401);
    const forOther = await postToken(assertionGrant(other.agent.id, await clientAssertion(privateKey, { iss: other.agent.id, kid })));
    expect(forOther.status).toBe(401);
  });

  it("accepts a key registered as a PEM (SPKI)", async () => {
    const { tenant, owner, agent } = await newAgent();
    const { publicKey, privateKey } = await es256();
    const { credential } = await addCredential({ actor: owner, agentId: agent.id, credential: { kind: "public_key", label: "pem", publicKey: await exportSPKI(publicKey) } });
    expect(credential).toMatchObject({ kind: "public_key", algorithm: "ES256" });
    const token = await mustIssue(assertionGrant(agent.id, await clientAssertion(privateKey, { iss: agent.id, kid: "whatever-the-agent-calls-it" })));
    expect(decodeJwt(token)).toMatchObject({ sub: agent.id, tid: tenant.id, cid: credential.id });
  });

  it("refuses to register a private JWK as a public key (validation_failed), and stores nothing", async () => {
    const { tenant, owner, agent } = await newAgent();
    const { privateKey } = await es256();
    const privateJwk = await exportJWK(privateKey);
    expect(privateJwk.d).toBeDefined();
    await expectAppError(
      addCredential({ actor: owner, agentId: agent.id, credential: { kind: "public_key", label: "oops", publicKey: JSON.stringify(privateJwk) } }),
      "validation_failed",
    );
    const stored = await withTenant({ tenantId: tenant.id }, (tx) => tx.agentCredential.count({ where: { agentId: agent.id } }));
    expect(stored).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------
// Token exchange (RFC 8693)
// ---------------------------------------------------------------------------------------

describe("token exchange of a federated workload token", () => {
  let server: Server;
  let jwksUrl: string;
  let issuerKeys: { kid: string; privateKey: CryptoKey };
  const published: JWK[] = [];
  const issuer = `https://ci-${uniq()}.example.test`;
  const subject = `repo:acme/deployer:ref:refs/heads/main:${uniq()}`;
  const audience = `gatehouse-${uniq()}`;
  let bound: Awaited<ReturnType<typeof newAgent>> & { credentialId: string };

  /** A workload token as the CI issuer would mint it. */
  function subjectToken(opts: { iss?: string; sub?: string; aud?: string; expIn?: number; key?: CryptoKey; kid?: string } = {}) {
    return new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: opts.kid ?? issuerKeys.kid })
      .setIssuer(opts.iss ?? issuer)
      .setSubject(opts.sub ?? subject)
      .setAudience(opts.aud ?? audience)
      .setIssuedAt(nowS() + Math.min(0, opts.expIn ?? 0) - 60)
      .setExpirationTime(nowS() + (opts.expIn ?? 300))
      .sign(opts.key ?? issuerKeys.privateKey);
  }

  beforeAll(async () => {
    const { publicKey, privateKey } = await es256();
    issuerKeys = { kid: `ci-${uniq()}`, privateKey };
    published.push({ ...(await exportJWK(publicKey)), kid: issuerKeys.kid, alg: "ES256", use: "sig" });
    server = createServer((req, res) => {
      if (req.url !== "/.well-known/jwks.json") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    // The issuer's key set is served from loopback, which outbound requests refuse unless the operator allows it.
    process.env.OUTBOUND_ALLOW_HOSTS = "127.0.0.1";
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;

    const created = await newAgent({ ttlMinutes: 10 });
    const { credential } = await addCredential({
      actor: created.owner,
      agentId: created.agent.id,
      credential: { kind: "federated", label: "deploys", issuer, jwksUrl, subject, audience },
    });
    bound = { ...created, credentialId: credential.id };
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("exchanges a bound workload token for a Gatehouse token of that agent", async () => {
    const answer = await postToken(exchangeGrant(await subjectToken()));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    expect(answer.body).toMatchObject({ token_type: "Bearer", expires_in: 600 });
    const claims = decodeJwt(answer.body.access_token as string);
    expect(claims).toMatchObject({ sub: bound.agent.id, tid: bound.tenant.id, cid: bound.credentialId });
    expect(await readTokenRow(bound.tenant.id, claims.jti!)).toMatchObject({ grantType: "token_exchange", agentId: bound.agent.id });
    expect((await readCredential(bound.tenant.id, bound.credentialId)).lastUsedAt).not.toBeNull();
    const me = await whoami(answer.body.access_token as string);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ agent_id: bound.agent.id, tenant_id: bound.tenant.id });
  });

  it("answers 400 invalid_grant to wrong audience, unbound subject or issuer, expiry and foreign signatures", async () => {
    const impostor = await es256();
    const cases: Record<string, Promise<string>> = {
      "wrong audience": subjectToken({ aud: "some-other-service" }),
      "unbound subject": subjectToken({ sub: "repo:acme/other:ref:refs/heads/main" }),
      "unbound issuer, same keys": subjectToken({ iss: "https://evil.example.test" }),
      "expired two minutes ago": subjectToken({ expIn: -120 }),
      "signed by another key, same kid": subjectToken({ key: impostor.privateKey }),
      "signed by another key, unknown kid": subjectToken({ key: impostor.privateKey, kid: "rogue" }),
    };
    const bodies = new Set<string>();
    for (const [what, token] of Object.entries(cases)) {
      const answer = await postToken(exchangeGrant(await token));
      expect(answer.status, what).toBe(400);
      expect(answer.body.error, what).toBe("invalid_grant");
      bodies.add(JSON.stringify(answer.body));
    }
    expect([...bodies]).toHaveLength(1);
    expect((await postToken(exchangeGrant("not-a-jwt"))).body.error).toBe("invalid_grant");
  });

  // Failures of token exchange count per claimed workload identity, never globally.
  it("does not let failed exchanges from anywhere lock out every tenant's token exchange", { timeout: 60_000 }, async () => {
    // Someone sends 20 junk workload tokens (from 20 addresses, so no per-address limit applies).
    for (let i = 0; i < 20; i++) await postToken(exchangeGrant(await subjectToken({ iss: `https://attacker-${i}.example.test` })));
    // A legitimate workload of this (or any other) tenant must still get its token.
    const answer = await postToken(exchangeGrant(await subjectToken()));
    expect(answer.body).not.toMatchObject({ error: "slow_down" });
    expect(answer.status).toBe(200);
  });
});
