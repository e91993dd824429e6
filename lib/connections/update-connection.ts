import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { gatewayChanged } from "@/lib/gateway/gateway-state";
import { assertNameFree, auditConnectionChange, lockConnection } from "./connection-audit";
import { describeConnection } from "./describe-connection";
import type { UpdateConnectionInput } from "./schemas";

/** Renames, re-scopes (hosts), disables or re-enables a connection; only the fields sent. */
export async function updateConnection(input: { actor: MemberContext; connectionId: string; changes: UpdateConnectionInput; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  const result = await withTenant({ tenantId }, async (tx) => {
    const before = await lockConnection(tx, tenantId, input.connectionId);
    const keys = (Object.keys(input.changes) as (keyof UpdateConnectionInput)[]).filter(
      (k) => input.changes[k] !== undefined && JSON.stringify(input.changes[k]) !== JSON.stringify(before[k]),
    );
    if (keys.length === 0) return describeConnection(before);
    if (input.changes.name) await assertNameFree(tx, tenantId, input.changes.name, before.id);
    const data = Object.fromEntries(keys.map((k) => [k, input.changes[k]]));
    const after = await tx.connection.update({ where: { id: before.id }, data });
    const action = keys.length === 1 && keys[0] === "status" ? (after.status === "disabled" ? "connection.disabled" : "connection.enabled") : "connection.updated";
    await auditConnectionChange(tx, {
      actor: input.actor,
      connectionId: before.id,
      action,
      before: Object.fromEntries(keys.map((k) => [k, before[k]])),
      after: data,
      requestId: input.requestId,
    });
    return describeConnection(after);
  });
  await gatewayChanged(tenantId);
  return result;
}
