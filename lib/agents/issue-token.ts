/**
 * POST /api/v1/oauth/token: exchanges an agent's credential for a short-lived access token.
 * Grants: client_credentials with client_secret or private_key_jwt (RFC 7523), and token
 * exchange of a trusted workload's OIDC token (RFC 8693). Errors follow RFC 6749 §5.2
 * and never say which part was wrong.
 */
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from "jose";
import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import { findUnstorable } from "@/lib/json/storable";
import { isMcpResource, MCP_PATH } from "@/lib/mcp/resource";
import { decoyHash, verifySecret } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { logger } from "@/lib/logger";
import { remoteJwks } from "@/lib/outbound/jwks";
import { createRedis, redisKey } from "@/lib/redis";
import type { Redis } from "ioredis";
import { signAgentToken } from "./agent-token";
import { credentialIdOfSecret } from "./credentials";
import { LIMITS, blockedFor, recordFailure } from "./token-guard";

export const GRANT_CLIENT_CREDENTIALS = "client_credentials";
export const GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
const MAX_ASSERTION_LIFETIME_S = 300;

export class OAuthError extends Error {
  constructor(
    readonly error: "invalid_request" | "invalid_client" | "invalid_grant" | "unsupported_grant_type" | "slow_down" | "invalid_target",
    readonly description: string,
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
  }
}

const badClient = () => new OAuthError("invalid_client", "Client authentication failed.", 401);
const badGrant = () => new OAuthError("invalid_grant", "The grant is invalid, expired or not bound to an agent.", 400);

type Authenticated = { tenantId: string; agentId: string; credentialId: string; grantType: string };

let redis: Redis | undefined;
const replayStore = () => (redis ??= createRedis({ maxRetriesPerRequest: 2 }));

async function tenantOfAgent(agentId: string): Promise<string | null> {
  const rows = await db().$queryRaw<{ tenant: string | null }[]>`SELECT unsafe_agent_tenant(${agentId}) AS tenant`;
  return rows[0]?.tenant ?? null;
}

/** Credentials that may authenticate right now: not revoked, not past their expiry. */
const usableNow = () => ({ revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] });

async function withClientSecret(clientId: string, secret: string): Promise<Authenticated | null> {
  const tenantId = await tenantOfAgent(clientId);
  const credentialId = credentialIdOfSecret(secret);
  const credential =
    tenantId && credentialId
      ? await withTenant({ tenantId }, (tx) =>
          tx.agentCredential.findFirst({ where: { id: credentialId, agentId: clientId, kind: "client_secret", ...usableNow() } }),
        )
      : null;
  // Always one slow hash, so timing does not tell a missing client from a wrong secret.
  const ok = await verifySecret(secret, credential?.secretHash ?? (await decoyHash()));
  if (!ok || !credential || !tenantId) return null;
  return { tenantId, agentId: clientId, credentialId: credential.id, grantType: "client_secret" };
}

async function withAssertion(clientId: string, assertion: string, audience: string | null): Promise<Authenticated | null> {
  const tenantId = await tenantOfAgent(clientId);
  if (!tenantId || !audience) return null;
  const keys = await withTenant({ tenantId }, (tx) =>
    tx.agentCredential.findMany({ where: { agentId: clientId, kind: "public_key", ...usableNow() } }),
  );
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(assertion).kid;
  } catch {
    return null;
  }
  const candidates = keys.filter((k) => !kid || (k.publicJwk as JWK | null)?.kid === kid || !(k.publicJwk as JWK | null)?.kid);
  for (const credential of candidates) {
    const jwk = credential.publicJwk as JWK;
    try {
      const { payload } = await jwtVerify(assertion, await importJWK(jwk, jwk.alg), {
        issuer: clientId,
        subject: clientId,
        audience,
        algorithms: [jwk.alg!],
        requiredClaims: ["jti", "exp"],
        clockTolerance: 30,
      });
      const now = Math.floor(Date.now() / 1000);
      if (payload.exp! - now > MAX_ASSERTION_LIFETIME_S) return null; // long-lived assertions are replay bait
      // Each assertion works once: remember its jti until it expires.
      const fresh = await replayStore().set(redisKey("assertion-jti", clientId, payload.jti!), "1", "EX", Math.max(payload.exp! - now + 60, 60), "NX");
      if (fresh !== "OK") return null;
      return { tenantId, agentId: clientId, credentialId: credential.id, grantType: "private_key_jwt" };
    } catch {
      // not this key; try the next
    }
  }
  return null;
}

/** A claim Postgres can compare: a string, not empty, not huge, without NUL or lone surrogates. */
const isLookupText = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 2_048 && !findUnstorable(value);

async function withTokenExchange(subjectToken: string): Promise<Authenticated | null> {
  let claims: { iss?: unknown; sub?: unknown };
  try {
    claims = decodeJwt(subjectToken);
  } catch {
    return null;
  }
  // Not verified yet, and sent by anyone: only text a binding could hold is worth a lookup.
  if (!isLookupText(claims.iss) || !isLookupText(claims.sub)) return null;
  const bindings = await db().$queryRaw<{ tenantId: string; agentId: string; credentialId: string }[]>`
    SELECT * FROM unsafe_federated_bindings(${claims.iss}, ${claims.sub})`;
  for (const binding of bindings) {
    const credential = await withTenant({ tenantId: binding.tenantId }, (tx) =>
      tx.agentCredential.findFirst({ where: { id: binding.credentialId, ...usableNow() } }),
    );
    if (!credential?.jwksUrl || !credential.audience) continue;
    try {
      await jwtVerify(subjectToken, remoteJwks(credential.jwksUrl), {
        issuer: credential.issuer!,
        subject: credential.subject!,
        audience: credential.audience,
        requiredClaims: ["exp"],
        clockTolerance: 30,
      });
      return { tenantId: binding.tenantId, agentId: binding.agentId, credentialId: credential.id, grantType: "token_exchange" };
    } catch (error) {
      logger.info("token exchange: subject token rejected", { issuer: claims.iss, reason: (error as Error).message });
    }
  }
  return null;
}

function claimedIdentity(token: string): string {
  try {
    const { iss, sub } = decodeJwt(token);
    return `${iss ?? "?"}|${sub ?? "?"}`;
  } catch {
    return "malformed";
  }
}

async function auditFailureBurst(clientId: string, count: number, address: string) {
  if (count !== LIMITS.auditAfter) return;
  const tenantId = await tenantOfAgent(clientId);
  if (!tenantId) return;
  await withTenant({ tenantId }, (tx) =>
    appendAuditEntry(tx, {
      tenantId,
      actor: { type: "system", label: "token endpoint" },
      action: "agent.auth_failures",
      target: { type: "agent", id: clientId },
      after: { failures: count, lastAddress: address },
    }),
  );
}

/**
 * Authenticates the request's grant and issues a token, or throws OAuthError. `address` is
 * the caller's (clientAddress); `tokenEndpoint` is this endpoint's configured public URL, the
 * audience client assertions must name (null when unconfigured: assertions are refused).
 */
export async function issueToken(input: { form: URLSearchParams; address: string; tokenEndpoint: string | null }) {
  const { form, address } = input;
  const grantType = form.get("grant_type");
  let clientId: string;
  let attempt: () => Promise<Authenticated | null>;

  if (grantType === GRANT_CLIENT_CREDENTIALS) {
    clientId = form.get("client_id") ?? "";
    const secret = form.get("client_secret");
    const assertion = form.get("client_assertion");
    if (!clientId || (!secret && !assertion) || (secret && assertion)) {
      throw new OAuthError("invalid_request", "Send client_id with exactly one of client_secret or client_assertion.", 400);
    }
    if (assertion && form.get("client_assertion_type") !== ASSERTION_TYPE) {
      throw new OAuthError("invalid_request", `client_assertion_type must be ${ASSERTION_TYPE}.`, 400);
    }
    attempt = () => (secret ? withClientSecret(clientId, secret) : withAssertion(clientId, assertion!, input.tokenEndpoint));
  } else if (grantType === GRANT_TOKEN_EXCHANGE) {
    const subjectToken = form.get("subject_token");
    if (!subjectToken || form.get("subject_token_type") !== JWT_TOKEN_TYPE) {
      throw new OAuthError("invalid_request", `Send subject_token with subject_token_type=${JWT_TOKEN_TYPE}.`, 400);
    }
    // Failures count per workload identity the token claims and address, so junk tokens
    // slow down at most their sender for the identity they name, never every tenant's exchange.
    clientId = `federated:${claimedIdentity(subjectToken)}`;
    attempt = () => withTokenExchange(subjectToken);
  } else if (!grantType) {
    throw new OAuthError("invalid_request", "grant_type is required.", 400);
  } else {
    throw new OAuthError("unsupported_grant_type", "Use client_credentials or token exchange.", 400);
  }

  // RFC 8707: a token may be bound to this server's MCP endpoint (its audience), nothing else.
  const resource = form.get("resource");
  if (resource !== null && !isMcpResource(resource, input.tokenEndpoint)) throw new OAuthError("invalid_target", `resource must be this server's MCP endpoint (${MCP_PATH}).`, 400);

  const wait = await blockedFor(clientId, address);
  if (wait > 0) throw new OAuthError("slow_down", "Too many failed attempts. Try again later.", 429, wait);

  const who = await attempt();
  const failed = grantType === GRANT_TOKEN_EXCHANGE ? badGrant : badClient;
  if (!who) {
    const count = await recordFailure(clientId, address);
    if (grantType === GRANT_CLIENT_CREDENTIALS) await auditFailureBurst(clientId, count, address).catch((error) => logger.error("audit of auth failures failed", { error }));
    throw failed();
  }

  // The credential is good; the agent must also be allowed to act right now.
  const agent = await withTenant({ tenantId: who.tenantId }, async (tx) => {
    const [row, killed] = await Promise.all([
      tx.agent.findUnique({ where: { id: who.agentId } }),
      tx.killSwitch.count({ where: { tenantId: who.tenantId, scope: "tenant", liftedAt: null } }),
    ]);
    return row && row.status === "active" && killed === 0 ? row : null;
  });
  if (!agent) {
    await recordFailure(clientId, address);
    throw failed();
  }

  const { token, jti, expiresIn } = await signAgentToken({ agentId: agent.id, tenantId: who.tenantId, credentialId: who.credentialId, ttlSeconds: agent.tokenTtlSeconds, notIssuedBefore: agent.tokensValidAfter, ...(resource !== null && { resource }) });
  const now = new Date();
  await withTenant({ tenantId: who.tenantId }, async (tx) => {
    await tx.agentToken.create({
      data: { jti, tenantId: who.tenantId, agentId: agent.id, credentialId: who.credentialId, grantType: who.grantType, sourceIp: address, expiresAt: new Date(now.getTime() + expiresIn * 1000) },
    });
    await tx.agentCredential.update({ where: { id: who.credentialId }, data: { lastUsedAt: now } });
    await tx.agent.update({ where: { id: agent.id }, data: { lastSeenAt: now } });
  });
  return { access_token: token, token_type: "Bearer" as const, expires_in: expiresIn };
}
