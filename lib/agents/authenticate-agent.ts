import { decodeProtectedHeader, jwtVerify } from "jose";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/http/errors";
import { TOKEN_AUDIENCE, TOKEN_ISSUER, keyForKid } from "./signing-keys";

export type AgentPrincipal = { agentId: string; tenantId: string; name: string; jti: string };

const invalid = () => new AppError("invalid_token", "The access token is missing, invalid or expired.");

/**
 * Verifies `Authorization: Bearer <jwt>` and returns the agent it names. 401 for any token
 * problem (one message, no hint which part failed); 403 for a suspended or retired agent.
 */
export async function authenticateAgent(authorization: string | null): Promise<AgentPrincipal> {
  const match = authorization?.match(/^Bearer\s+([\w-]+\.[\w-]+\.[\w-]+)$/i);
  if (!match) throw invalid();
  const token = match[1]!;
  let claims: { sub?: string; tid?: unknown; jti?: string };
  try {
    const { kid } = decodeProtectedHeader(token);
    const key = await keyForKid(kid);
    if (!key) throw invalid();
    ({ payload: claims } = await jwtVerify(token, key, {
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      algorithms: ["ES256"],
      requiredClaims: ["sub", "jti", "exp"],
    }));
  } catch {
    throw invalid();
  }
  if (!claims.sub || typeof claims.tid !== "string" || !claims.jti) throw invalid();
  const tenantId = claims.tid;
  const agentId = claims.sub;
  // TODO(issue 3): serve status from an in-memory cache invalidated over Redis pub/sub.
  const agent = await withTenant({ tenantId }, (tx) =>
    tx.agent.findUnique({ where: { id: agentId }, select: { name: true, status: true } }),
  );
  if (!agent) throw invalid();
  if (agent.status === "suspended") throw new AppError("agent_suspended", "This agent is suspended.");
  if (agent.status === "decommissioned") throw new AppError("agent_decommissioned", "This agent is decommissioned.");
  return { agentId, tenantId, name: agent.name, jti: claims.jti };
}
