/**
 * Hourly signed digests over each tenant's run events and decisions (CloudTrail-style).
 *
 * Which events a digest covers is decided by id, not by time: the sealer takes a SHARE
 * lock on run_events for an instant (it waits for every insert in flight and lets none
 * start meanwhile) and reads the id sequence. Every id at or below that mark belongs to a
 * finished transaction, so digest n can cover exactly `previous mark < id <= mark` for
 * each tenant: an event that arrives late (an ingest retry an hour later) simply lands in
 * the next digest, never between two. Deleting, altering or reordering a covered event
 * (or the decision stored with it) changes the recomputed heads; removing a digest breaks
 * the prevHash link; the database refuses UPDATE/DELETE on digests and checks each link.
 */
import { logger } from "@/lib/logger";
import { unsafeListTenantIds } from "@/lib/tenancy/unsafe-list-tenant-ids";
import { DigestAccumulator, GENESIS_HASH, digestText, sha256Hex, type DigestBody, type SignedDigest } from "./format";
import { activeEvidenceKey, signText } from "./keys";
import { leavesOf } from "./leaves";
import { evidencePool, eventPage, iso, keyset, withTenantQuery } from "./pg";

const PAGE = 5_000;

export type EventMark = { eventId: string; at: string };

/** The id below which every run event is committed (see above), and when it was taken. */
export async function takeEventMark(): Promise<EventMark> {
  const client = await evidencePool().connect();
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL lock_timeout = '10s'");
    await client.query("LOCK TABLE ONLY run_events IN SHARE MODE");
    const { rows } = await client.query<{ last_value: string; is_called: boolean; at: string }>(
      `SELECT last_value, is_called, ${iso("(now() AT TIME ZONE 'UTC')")} AS at FROM run_events_id_seq`,
    );
    await client.query("COMMIT");
    const row = rows[0]!;
    return { eventId: row.is_called ? String(row.last_value) : String(BigInt(row.last_value) - 1n), at: row.at };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

type DigestRow = {
  seq: string;
  periodEnd: string;
  toEventId: string;
  hash: string;
};

async function headDigest(tenantId: string): Promise<DigestRow | null> {
  const rows = await withTenantQuery(tenantId, (q) =>
    q<DigestRow>(
      `SELECT seq::text, ${iso('"periodEnd"')} AS "periodEnd", "toEventId"::text AS "toEventId", hash
         FROM evidence_digests WHERE "tenantId" = $1 ORDER BY evidence_digests.seq DESC LIMIT 1`,
      [tenantId],
    ),
  );
  return rows[0] ?? null;
}

/** Recomputes the heads of a tenant's events in (fromEventId, toEventId] from what is stored now. */
export async function computeDigestRange(tenantId: string, fromEventId: string, toEventId: string): Promise<DigestAccumulator> {
  const acc = new DigestAccumulator();
  if (BigInt(toEventId) <= BigInt(fromEventId)) return acc;
  for await (const page of keyset((after) => eventPage(tenantId, after, toEventId, PAGE), fromEventId, PAGE)) {
    for (const e of page) {
      const leaves = leavesOf(e);
      acc.add(leaves.event, leaves.payload);
      if (leaves.decision) acc.add(leaves.decision);
    }
  }
  return acc;
}

/**
 * Seals the tenant's next digest up to `mark` (an empty digest when nothing arrived: it
 * proves the hour was empty). Returns null when another sealer got there first.
 */
export async function sealTenantDigest({ tenantId, mark }: { tenantId: string; mark: EventMark }): Promise<SignedDigest | null> {
  const head = await headDigest(tenantId);
  const fromEventId = head?.toEventId ?? "0";
  const toEventId = BigInt(mark.eventId) > BigInt(fromEventId) ? mark.eventId : fromEventId;
  const acc = await computeDigestRange(tenantId, fromEventId, toEventId);
  const key = await activeEvidenceKey();
  const body: DigestBody = {
    v: 1,
    tenantId,
    seq: String(BigInt(head?.seq ?? "0") + 1n),
    periodStart: head?.periodEnd ?? acc.firstAt ?? mark.at,
    periodEnd: mark.at,
    fromEventId,
    toEventId,
    firstAt: acc.firstAt,
    lastAt: acc.lastAt,
    eventCount: acc.eventCount,
    decisionCount: acc.decisionCount,
    eventsHead: acc.eventsHead,
    payloadsHead: acc.payloadsHead,
    prevHash: head?.hash ?? GENESIS_HASH,
    keyId: key.kid,
  };
  const text = digestText(body);
  const digest: SignedDigest = { ...body, hash: sha256Hex(text), signature: signText(key.privateKey, text) };
  try {
    await withTenantQuery(
      tenantId,
      (q) =>
        q(
          `INSERT INTO evidence_digests (id, "tenantId", seq, "periodStart", "periodEnd", "fromEventId", "toEventId", "firstAt", "lastAt",
                                         "eventCount", "decisionCount", "eventsHead", "payloadsHead", "prevHash", hash, "keyId", signature)
           VALUES ($1, $2, $3::bigint, $4::timestamp, $5::timestamp, $6::bigint, $7::bigint, $8::timestamp, $9::timestamp,
                   $10, $11, $12, $13, $14, $15, $16, $17)`,
          [
            `dig_${digest.hash.slice(0, 24)}`, tenantId, digest.seq, digest.periodStart, digest.periodEnd, digest.fromEventId,
            digest.toEventId, digest.firstAt, digest.lastAt, digest.eventCount, digest.decisionCount, digest.eventsHead,
            digest.payloadsHead, digest.prevHash, digest.hash, digest.keyId, digest.signature,
          ],
        ),
      { write: true },
    );
  } catch (error) {
    // The link trigger (or the unique seq) refused: a concurrent sealer added this digest.
    if ((error as { code?: string }).code === "23000" || (error as { code?: string }).code === "23505") return null;
    throw error;
  }
  return digest;
}

/** The hourly job: one mark for all tenants, then each tenant's digest. */
export async function sealAllDigests(): Promise<{ tenants: number; events: number }> {
  const mark = await takeEventMark();
  let events = 0;
  const tenantIds = await unsafeListTenantIds();
  for (const tenantId of tenantIds) {
    try {
      const digest = await sealTenantDigest({ tenantId, mark });
      events += digest?.eventCount ?? 0;
    } catch (error) {
      logger.error("evidence digest failed", { tenantId, error });
    }
  }
  return { tenants: tenantIds.length, events };
}
