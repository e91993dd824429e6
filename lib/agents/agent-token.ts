import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { TOKEN_ALG, TOKEN_AUDIENCE, TOKEN_ISSUER, activeSigningKey } from "./signing-keys";

/**
 * Signs a short-lived access token for an agent: `sub` agent id, `tid` tenant id, `cid` the
 * credential it was issued for (revoking that credential fails the token), `jti`. With
 * `resource` (RFC 8707) the audience also names that resource, binding the token to it.
 */
export async function signAgentToken(input: { agentId: string; tenantId: string; credentialId: string; ttlSeconds: number; notIssuedBefore?: Date | null; resource?: string }) {
  const { kid, privateKey } = await activeSigningKey();
  const jti = randomUUID();
  const token = await new SignJWT({ tid: input.tenantId, cid: input.credentialId })
    .setProtectedHeader({ alg: TOKEN_ALG, kid, typ: "at+jwt" })
    .setSubject(input.agentId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(input.resource ? [TOKEN_AUDIENCE, input.resource] : TOKEN_AUDIENCE)
    .setJti(jti)
    // iat has whole seconds and must not fall before the agent's tokensValidAfter, or a token
    // issued in the same second as a reactivation would be refused as if from before the stop.
    .setIssuedAt(Math.max(Math.floor(Date.now() / 1000), Math.ceil((input.notIssuedBefore?.getTime() ?? 0) / 1000)))
    .setExpirationTime(`${input.ttlSeconds}s`)
    .sign(privateKey);
  return { token, jti, expiresIn: input.ttlSeconds };
}
