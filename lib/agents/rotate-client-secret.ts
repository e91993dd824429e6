import type { MemberContext } from "@/lib/auth/member";
import { hashSecret } from "@/lib/auth/password";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { auditAgentChange } from "./agent-audit";
import { authState } from "./auth-state";
import { describeCredential, loadActiveAgent } from "./add-credential";
import { newClientSecret } from "./credentials";

const MAX_OVERLAP_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Issues a new client secret and retires the old one: at once, or at `overlapUntil` so
 * deployed agents can switch without downtime. Past that time the old secret and the
 * tokens issued from it stop working (the expiry is checked on every request; the
 * worker also marks it revoked).
 */
export async function rotateClientSecret(input: { actor: MemberContext; agentId: string; credentialId: string; overlapUntil?: string | null; label?: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const overlapUntil = input.overlapUntil ? new Date(input.overlapUntil) : null;
  if (overlapUntil && (overlapUntil <= new Date() || overlapUntil.getTime() - Date.now() > MAX_OVERLAP_MS)) {
    throw new AppError("validation_failed", "The overlap must end in the future and within 30 days.", [{ path: "overlapUntil", message: "Out of range." }]);
  }
  const id = newId("cred");
  const clientSecret = newClientSecret(id);
  const secretHash = await hashSecret(clientSecret);
  const result = await withTenant({ tenantId }, async (tx) => {
    await loadActiveAgent(tx, tenantId, input.agentId);
    const old = await tx.agentCredential.findFirst({ where: { id: input.credentialId, agentId: input.agentId, tenantId, kind: "client_secret", revokedAt: null } });
    if (!old) throw new AppError("not_found", "No active client secret with that id.");
    const now = new Date();
    const retired = await tx.agentCredential.update({
      where: { id: old.id },
      data: overlapUntil
        ? { expiresAt: old.expiresAt && old.expiresAt < overlapUntil ? old.expiresAt : overlapUntil }
        : { revokedAt: now, revokedReason: "rotated" },
    });
    const created = await tx.agentCredential.create({
      data: { id, tenantId, agentId: input.agentId, kind: "client_secret", label: input.label ?? old.label, secretHash, createdById: input.actor.user.id },
    });
    await auditAgentChange(tx, {
      actor: input.actor,
      agentId: input.agentId,
      action: "agent.credential_rotated",
      before: describeCredential(old),
      after: { retired: describeCredential(retired), replacement: describeCredential(created) },
      requestId: input.requestId,
    });
    return { retired, created };
  });
  await authState.publish({ kind: "agent", id: input.agentId });
  return { credential: describeCredential(result.created), retired: describeCredential(result.retired), clientSecret };
}
