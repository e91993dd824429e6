import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { Tx } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

/** Audits a change to a connection. before/after never carry a secret, sealed or not. */
export function auditConnectionChange(tx: Tx, input: { actor: MemberContext; connectionId: string; action: string; before?: unknown; after?: unknown; requestId?: string }) {
  return appendAuditEntry(tx, {
    tenantId: input.actor.tenant.id,
    actor: memberActor(input.actor),
    action: input.action,
    target: { type: "connection", id: input.connectionId },
    before: input.before,
    after: input.after,
    requestId: input.requestId,
  });
}

/** The connection, locked for this transaction (rotations and edits take turns); 404 outside the tenant. */
export async function lockConnection(tx: Tx, tenantId: string, connectionId: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM connections WHERE id = ${connectionId} AND "tenantId" = ${tenantId} FOR UPDATE`;
  if (rows.length === 0) throw new AppError("not_found", "Connection not found.");
  return tx.connection.findUniqueOrThrow({ where: { id: connectionId } });
}

/** A name taken by another connection of the tenant is a 409, not a unique-violation 500. */
export async function assertNameFree(tx: Tx, tenantId: string, name: string, exceptId?: string) {
  const other = await tx.connection.findFirst({ where: { tenantId, name, ...(exceptId && { id: { not: exceptId } }) }, select: { id: true } });
  if (other) throw new AppError("conflict", `A connection named "${name}" already exists.`);
}
