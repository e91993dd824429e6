import { decodeProtectedHeader, jwtVerify } from "jose";
import { BoundedMap } from "@/lib/bounded-map";
import { AppError } from "@/lib/errors";
import { authState } from "./auth-state";
import { TOKEN_AUDIENCE, TOKEN_ISSUER, keyForKid } from "./signing-keys";

export type AgentPrincipal = {
  agentId: string;
  tenantId: string;
  name: string;
  labels: string[];
  jti: string;
  credentialId: string;
  /** RFC 8707: the resource URLs (audiences other than Gatehouse's own) the token is bound to; absent when it is bound to none. */
  resources?: string[];
};

const invalid = () => new AppError("invalid_token", "The access token is missing, invalid or expired.");

type Claims = { sub?: string; tid?: unknown; cid?: unknown; jti?: string; exp?: number; iat?: number; aud?: unknown };
/** Verified claims with the token's resources (RFC 8707) read once, when it was verified. */
type VerifiedClaims = Claims & { resources?: string[] };

/**
 * Tokens whose signature and claims were verified, by their exact text, for at most a
 * minute (and never past their expiry): an agent presents the same token on every call,
 * and the ES256 verify is most of authentication's cost. Agent, credential and tenant
 * state are still checked on every request, so revocation stays immediate.
 */
const VERIFIED_TTL_MS = 60_000;
const verified = new BoundedMap<string, VerifiedClaims>(10_000, VERIFIED_TTL_MS);

async function verifySignature(token: string): Promise<VerifiedClaims> {
  let claims: Claims;
  try {
    const key = await keyForKid(decodeProtectedHeader(token).kid);
    if (!key) throw invalid();
    ({ payload: claims } = await jwtVerify(token, key, {
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      algorithms: ["ES256"],
      requiredClaims: ["sub", "jti", "exp", "iat"],
    }));
  } catch {
    throw invalid();
  }
  const resources = resourcesOf(claims.aud);
  const kept: VerifiedClaims = { ...claims, ...(resources.length > 0 && { resources }) };
  verified.set(token, kept, Math.min(Date.now() + VERIFIED_TTL_MS, (claims.exp ?? 0) * 1000));
  return kept;
}

/**
 * Verifies `Authorization: Bearer <jwt>` and returns the agent it names: signature and
 * claims, then agent, credential and tenant state from the in-memory auth state (no
 * database query once warm). 401 for any token problem, one message, no hint which part
 * failed; 403 for a suspended or decommissioned agent or a tenant kill switch.
 */
export async function authenticateAgent(authorization: string | null): Promise<AgentPrincipal> {
  const match = authorization?.match(/^Bearer\s+([\w-]+\.[\w-]+\.[\w-]+)$/i);
  if (!match) throw invalid();
  const token = match[1]!;
  const claims = verified.get(token) ?? (await verifySignature(token));
  if (!claims.sub || typeof claims.tid !== "string" || typeof claims.cid !== "string" || !claims.jti) throw invalid();

  const state = await authState.get(claims.tid, claims.sub);
  if (!state) throw invalid();
  // Status before credential: decommissioning also revokes credentials, and the caller
  // (who holds a token we signed) should hear that the agent is retired (API.md: 403).
  if (state.status === "suspended") throw new AppError("agent_suspended", "This agent is suspended.");
  if (state.status === "decommissioned") throw new AppError("agent_decommissioned", "This agent is decommissioned.");
  if (state.tenantKilled) throw new AppError("tenant_killed", "All agents of this tenant are stopped by a kill switch.");
  // A suspension ends every token issued before it, so reactivating does not revive them.
  // iat has whole seconds: a token from the very second of a suspension counts as before it
  // (tokens issued after reactivation carry an iat at or after it, agent-token.ts).
  if (state.tokensValidAfter && (claims.iat ?? 0) * 1000 < state.tokensValidAfter.getTime()) throw invalid();
  const credential = state.credentials.get(claims.cid);
  if (!credential || credential.revokedAt || (credential.expiresAt && credential.expiresAt <= new Date())) throw invalid();
  return { agentId: state.agentId, tenantId: state.tenantId, name: state.name, labels: state.labels, jti: claims.jti, credentialId: claims.cid, ...(claims.resources && { resources: claims.resources }) };
}

const resourcesOf = (aud: unknown) => (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === "string" && /^https?:/.test(a));
