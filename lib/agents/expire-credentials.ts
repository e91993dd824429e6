import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import { withTenant } from "@/lib/db/tenant";
import { authState } from "./auth-state";

/**
 * Marks credentials past their expiry (rotation overlaps that ended, expiring keys) as
 * revoked, audited. Authentication already refuses them from the expiry instant; this
 * makes the record say so.
 */
export async function expireCredentials({ tenantId }: { tenantId: string }) {
  const now = new Date();
  const expired = await withTenant({ tenantId }, async (tx) => {
    const due = await tx.agentCredential.findMany({ where: { tenantId, revokedAt: null, expiresAt: { lte: now } } });
    for (const credential of due) {
      await tx.agentCredential.update({ where: { id: credential.id }, data: { revokedAt: now, revokedReason: "expired" } });
      await appendAuditEntry(tx, {
        tenantId,
        actor: { type: "system", label: "credential expiry" },
        action: "agent.credential_expired",
        target: { type: "agent", id: credential.agentId },
        after: { credentialId: credential.id, kind: credential.kind, label: credential.label, expiresAt: credential.expiresAt },
      });
    }
    return due;
  });
  for (const agentId of new Set(expired.map((c) => c.agentId))) await authState.publish({ kind: "agent", id: agentId });
  return expired.length;
}
