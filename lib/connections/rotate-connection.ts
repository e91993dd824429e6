import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { validationFailed } from "@/lib/errors";
import { gatewayChanged } from "@/lib/gateway/gateway-state";
import { sealSecret } from "@/lib/secrets/envelope";
import { auditConnectionChange, lockConnection } from "./connection-audit";
import { describeConnection } from "./describe-connection";
import { secretContext, secretProblem } from "./schemas";

/**
 * Replaces the secret. With an overlap, the previous one stays usable until then: the
 * gateway falls back to it when the upstream refuses the new one (e.g. while the new key
 * propagates on the upstream's side).
 */
export async function rotateConnection(input: { actor: MemberContext; connectionId: string; secret: string; overlapSeconds: number; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const now = new Date();
  const result = await withTenant({ tenantId }, async (tx) => {
    const before = await lockConnection(tx, tenantId, input.connectionId);
    const problem = secretProblem(before.kind, input.secret);
    if (problem) throw validationFailed([{ path: "secret", message: problem }]);
    const overlap = input.overlapSeconds > 0;
    const after = await tx.connection.update({
      where: { id: before.id },
      data: {
        sealedSecret: sealSecret(input.secret, secretContext(tenantId, before.id)),
        previousSealed: overlap ? before.sealedSecret : null,
        previousValidUntil: overlap ? new Date(now.getTime() + input.overlapSeconds * 1000) : null,
        rotatedAt: now,
        // A refused credential is fixed by rotating: the next refusal alerts again.
        refusedAlertedAt: null,
      },
    });
    const view = describeConnection(after);
    await auditConnectionChange(tx, {
      actor: input.actor,
      connectionId: before.id,
      action: "connection.rotated",
      before: { keyId: describeConnection(before).keyId },
      after: { keyId: view.keyId, previousValidUntil: view.previousValidUntil },
      requestId: input.requestId,
    });
    return view;
  });
  await gatewayChanged(tenantId);
  return result;
}
