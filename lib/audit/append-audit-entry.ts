import type { MemberContext } from "@/lib/auth/member";
import type { Tx } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { SqlExecutor } from "@/lib/ingest/write-event-batch";
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
  const rows = chainEntries(tenantId, head, inputs);
  await tx.auditEntry.createMany({ data: rows.map((row) => ({ ...row, before: jsonOrNull(row.before), after: jsonOrNull(row.after) })) });
}

/**
 * appendAuditEntries through a plain `pg` transaction (the decisions worker's batch
 * writer): the same lock, head and hashes, the rows as one JSON parameter. The lock is its
 * own statement: a statement's snapshot predates a lock taken inside it, so a head read in
 * the same statement could miss the entries of the writer it waited for.
 */
export async function appendAuditEntriesPg(sql: SqlExecutor, tenantId: string, inputs: Omit<AuditInput, "tenantId">[]) {
  if (inputs.length === 0) return;
  await sql("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", ["audit:" + tenantId]);
  // Ordered by the bigint column (e.seq), not the text alias: as text, "9" sorts after "41".
  const [head] = await sql<{ seq: string; hash: string }>(
    `SELECT seq::text AS seq, hash FROM audit_entries e WHERE "tenantId" = $1 ORDER BY e.seq DESC LIMIT 1`,
    [tenantId],
  );
  const rows = chainEntries(tenantId, head ? { seq: BigInt(head.seq), hash: head.hash } : null, inputs);
  await sql(INSERT_AUDIT, [JSON.stringify(rows.map((row) => ({ ...row, seq: row.seq.toString(), createdAt: row.createdAt.toISOString() })))]);
}

// Rows in seq order: the link trigger checks each against the one inserted before it. An absent
// before/after is JSON null, as appendAuditEntries (Prisma.JsonNull) stores it.
const INSERT_AUDIT = `
INSERT INTO audit_entries (id, "tenantId", seq, "actorType", "actorId", "actorLabel", action, "targetType", "targetId",
                           before, after, "requestId", "createdAt", "prevHash", hash)
SELECT id, "tenantId", seq, "actorType", "actorId", "actorLabel", action, "targetType", "targetId",
       COALESCE(before, 'null'::jsonb), COALESCE(after, 'null'::jsonb), "requestId", "createdAt", "prevHash", hash
  FROM jsonb_to_recordset($1::jsonb)
    AS t(id text, "tenantId" text, seq bigint, "actorType" text, "actorId" text, "actorLabel" text, action text, "targetType" text,
         "targetId" text, before jsonb, after jsonb, "requestId" text, "createdAt" timestamp(3), "prevHash" text, hash text)
 ORDER BY seq`;

/** The chained rows that follow `head` (null: the tenant's first entry), hashed in order. */
function chainEntries(tenantId: string, head: { seq: bigint; hash: string } | null, inputs: Omit<AuditInput, "tenantId">[]) {
  let seq = head?.seq ?? 0n;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return inputs.map((input) => {
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
    return { ...entry, hash };
  });
}
