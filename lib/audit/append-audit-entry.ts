import type { MemberContext } from "@/lib/auth/member";
import type { Tx } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { GENESIS_HASH, entryHash, type ChainedEntry } from "./chain";

export type Actor =
  | { type: "user"; id: string; label: string }
  | { type: "agent"; id: string; label: string }
  | { type: "system"; label: string };

/** The audit actor for a signed-in member. */
export function memberActor(member: MemberContext): Actor {
  return { type: "user", id: member.user.id, label: member.user.email };
}

export type AuditInput = {
  tenantId: string;
  actor: Actor;
  action: string; // e.g. "member.role_changed"
  target: { type: string; id?: string | null };
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
};

const jsonOrNull = (value: unknown) =>
  value === undefined || value === null ? Prisma.JsonNull : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue);

/**
 * Appends one entry to the tenant's hash chain, inside the caller's transaction so the
 * entry commits with the change it records. The per-tenant advisory lock serializes
 * writers; the database trigger re-checks the link.
 */
export async function appendAuditEntry(tx: Tx, input: AuditInput) {
  await appendAuditEntries(tx, input.tenantId, [input]);
}

/**
 * Appends several entries of one tenant in order, under one lock and one read of the head,
 * in one INSERT: the link trigger sees the rows inserted before it in the same statement.
 */
export async function appendAuditEntries(tx: Tx, tenantId: string, inputs: Omit<AuditInput, "tenantId">[]) {
  if (inputs.length === 0) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${"audit:" + tenantId}, 0))`;
  const head = await tx.auditEntry.findFirst({
    where: { tenantId },
    orderBy: { seq: "desc" },
    select: { seq: true, hash: true },
  });
  let seq = head?.seq ?? 0n;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const rows = inputs.map((input) => {
    // Values are normalized through JSON so the hash covers exactly what Postgres stores.
    const before = input.before === undefined ? null : JSON.parse(JSON.stringify(input.before));
    const after = input.after === undefined ? null : JSON.parse(JSON.stringify(input.after));
    seq += 1n;
    const entry: ChainedEntry = {
      id: newId("aud"),
      tenantId,
      seq,
      actorType: input.actor.type,
      actorId: input.actor.type === "system" ? null : input.actor.id,
      actorLabel: input.actor.label,
      action: input.action,
      targetType: input.target.type,
      targetId: input.target.id ?? null,
      before,
      after,
      requestId: input.requestId ?? null,
      createdAt: new Date(),
      prevHash,
    };
    const hash = entryHash(entry);
    prevHash = hash;
    return { ...entry, before: jsonOrNull(before), after: jsonOrNull(after), hash };
  });
  await tx.auditEntry.createMany({ data: rows });
}
