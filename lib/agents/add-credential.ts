import type { MemberContext } from "@/lib/auth/member";
import { hashSecret } from "@/lib/auth/password";
import type { Tx } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { auditAgentChange } from "./agent-audit";
import { authState } from "./auth-state";
import { newClientSecret, parsePublicKey } from "./credentials";
import type { AddCredentialInput } from "./schemas";
import type { CredentialKind } from "@/lib/db/generated/enums";

/** The credential as the console shows it: never a secret or its hash. */
export function describeCredential(c: {
  id: string;
  kind: CredentialKind;
  label: string;
  issuer: string | null;
  subject: string | null;
  audience: string | null;
  jwksUrl: string | null;
  publicJwk: unknown;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
}) {
  const jwk = c.publicJwk as { kid?: string; alg?: string } | null;
  return {
    id: c.id,
    kind: c.kind,
    label: c.label,
    createdAt: c.createdAt.toISOString(),
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
    expiresAt: c.expiresAt?.toISOString() ?? null,
    revokedAt: c.revokedAt?.toISOString() ?? null,
    revokedReason: c.revokedReason,
    ...(c.kind === "public_key" && { keyId: jwk?.kid ?? null, algorithm: jwk?.alg ?? null }),
    ...(c.kind === "federated" && { issuer: c.issuer, jwksUrl: c.jwksUrl, subject: c.subject, audience: c.audience }),
  };
}

export async function loadActiveAgent(tx: Tx, tenantId: string, agentId: string) {
  const agent = await tx.agent.findFirst({ where: { id: agentId, tenantId } });
  if (!agent) throw new AppError("not_found", "Agent not found.");
  if (agent.status === "decommissioned") throw new AppError("conflict", "A decommissioned agent cannot get credentials.");
  return agent;
}

/**
 * Adds a credential. A client secret is returned once, here, and stored only as a slow
 * hash; public keys and federated bindings hold nothing secret.
 */
export async function addCredential(input: { actor: MemberContext; agentId: string; credential: AddCredentialInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const c = input.credential;
  const id = newId("cred");
  const expiresAt = c.expiresAt ? new Date(c.expiresAt) : null;
  if (expiresAt && expiresAt <= new Date()) throw new AppError("validation_failed", "The expiry must be in the future.", [{ path: "expiresAt", message: "In the past." }]);
  const clientSecret = c.kind === "client_secret" ? newClientSecret(id) : undefined;
  const fields =
    c.kind === "client_secret"
      ? { secretHash: await hashSecret(clientSecret!) }
      : c.kind === "public_key"
        ? { publicJwk: await parsePublicKey(c.publicKey) }
        : { issuer: c.issuer, jwksUrl: c.jwksUrl, subject: c.subject, audience: c.audience };

  const credential = await withTenant({ tenantId }, async (tx) => {
    await loadActiveAgent(tx, tenantId, input.agentId);
    const created = await tx.agentCredential.create({
      data: { id, tenantId, agentId: input.agentId, kind: c.kind, label: c.label, expiresAt, createdById: input.actor.user.id, ...fields },
    });
    await auditAgentChange(tx, {
      actor: input.actor,
      agentId: input.agentId,
      action: "agent.credential_added",
      after: describeCredential(created),
      requestId: input.requestId,
    });
    return created;
  });
  await authState.publish({ kind: "agent", id: input.agentId });
  return { credential: describeCredential(credential), clientSecret };
}
