import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { auditAgentChange } from "./agent-audit";
import { authState } from "./auth-state";
import { describeCredential } from "./add-credential";

/** Revokes at once: the credential stops authenticating and tokens issued from it fail within a second. */
export async function revokeCredential(input: { actor: MemberContext; agentId: string; credentialId: string; reason: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const revoked = await withTenant({ tenantId }, async (tx) => {
    const credential = await tx.agentCredential.findFirst({ where: { id: input.credentialId, agentId: input.agentId, tenantId } });
    if (!credential) throw new AppError("not_found", "Credential not found.");
    if (credential.revokedAt) throw new AppError("conflict", "This credential is already revoked.");
    const updated = await tx.agentCredential.update({ where: { id: credential.id }, data: { revokedAt: new Date(), revokedReason: input.reason } });
    await auditAgentChange(tx, {
      actor: input.actor,
      agentId: input.agentId,
      action: "agent.credential_revoked",
      before: describeCredential(credential),
      after: { revokedAt: updated.revokedAt, reason: input.reason },
      requestId: input.requestId,
    });
    return updated;
  });
  await authState.publish({ kind: "agent", id: input.agentId });
  return describeCredential(revoked);
}
