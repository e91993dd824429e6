import type { MemberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/tenant";
import { gatewayChanged } from "@/lib/gateway/gateway-state";
import { AppError } from "@/lib/errors";
import { auditConnectionChange, lockConnection } from "./connection-audit";

/** Deletes a connection and its secret; 409 while a tool still uses it. */
export async function deleteConnection(input: { actor: MemberContext; connectionId: string; requestId?: string }) {
  const tenantId = input.actor.tenant.id;
  await withTenant({ tenantId }, async (tx) => {
    const before = await lockConnection(tx, tenantId, input.connectionId);
    const users = await tx.tool.findMany({ where: { tenantId, connectionId: before.id }, select: { name: true } });
    if (users.length > 0) throw new AppError("conflict", `Tools still use this connection: ${users.map((t) => t.name).join(", ")}.`, { tools: users.map((t) => t.name) });
    await tx.connection.delete({ where: { id: before.id } });
    await auditConnectionChange(tx, { actor: input.actor, connectionId: before.id, action: "connection.deleted", before: { name: before.name, kind: before.kind, allowedHosts: before.allowedHosts }, requestId: input.requestId });
  });
  await gatewayChanged(tenantId);
}
