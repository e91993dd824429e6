import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { unsafeListTenantIds } from "@/lib/tenancy/unsafe-list-tenant-ids";
import { parseDataPolicy } from "./data-policy";

const BATCH = 5_000;
const DAY = 86_400_000;

/** Marks an event whose payload the retention policy removed. */
export const PAYLOAD_REMOVED = ["*"];

/**
 * One tenant's retention: payloads older than `payloadDays` are emptied (metadata —
 * type, times, hashes, tokens, cost — stays), events, their keys and runs older than
 * `metadataDays` are deleted; in batches, so no statement holds locks for long.
 */
export async function applyTenantRetention({ tenantId, now = new Date() }: { tenantId: string; now?: Date }) {
  const tenant = await withTenant({ tenantId }, (tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } }));
  const { retention } = parseDataPolicy(tenant?.settings);
  const payloadCutoff = new Date(now.getTime() - retention.payloadDays * DAY).toISOString();
  const metadataCutoff = new Date(now.getTime() - retention.metadataDays * DAY).toISOString();
  const counts = { payloadsRemoved: 0, eventsDeleted: 0, keysDeleted: 0, runsDeleted: 0 };
  const loop = async (sql: string, cutoff: string, key: keyof typeof counts) => {
    for (;;) {
      const n = await withTenant({ tenantId }, (tx) => tx.$executeRawUnsafe(sql, tenantId, cutoff, BATCH), { timeout: 60_000 });
      counts[key] += n;
      if (n < BATCH) break;
    }
  };
  await loop(
    `DELETE FROM run_events WHERE (id, "receivedAt") IN (
       SELECT id, "receivedAt" FROM run_events WHERE "tenantId" = $1 AND "receivedAt" < $2::timestamp(3) LIMIT $3)`,
    metadataCutoff,
    "eventsDeleted",
  );
  await loop(
    `DELETE FROM run_event_keys WHERE ("agentId", source, "eventKey") IN (
       SELECT "agentId", source, "eventKey" FROM run_event_keys WHERE "tenantId" = $1 AND "receivedAt" < $2::timestamp(3) LIMIT $3)`,
    metadataCutoff,
    "keysDeleted",
  );
  await loop(
    `DELETE FROM runs WHERE id IN (
       SELECT id FROM runs WHERE "tenantId" = $1 AND coalesce("lastReceivedAt", "startedAt") < $2::timestamp(3) LIMIT $3)`,
    metadataCutoff,
    "runsDeleted",
  );
  await loop(
    `UPDATE run_events SET payload = '{}'::jsonb, redacted = '${JSON.stringify(PAYLOAD_REMOVED)}'::jsonb WHERE (id, "receivedAt") IN (
       SELECT id, "receivedAt" FROM run_events WHERE "tenantId" = $1 AND "receivedAt" < $2::timestamp(3)
          AND redacted IS DISTINCT FROM '${JSON.stringify(PAYLOAD_REMOVED)}'::jsonb LIMIT $3)`,
    payloadCutoff,
    "payloadsRemoved",
  );
  return { tenantId, retention, ...counts };
}

/**
 * Whole days that no tenant keeps any more are dropped as partitions first (the cheap
 * path for the bulk of old data), then each tenant's own, shorter limits in batches.
 */
export async function applyRetention(now = new Date()) {
  const tenantIds = await unsafeListTenantIds();
  let longest = 0;
  for (const tenantId of tenantIds) {
    const tenant = await withTenant({ tenantId }, (tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } }));
    longest = Math.max(longest, parseDataPolicy(tenant?.settings).retention.metadataDays);
  }
  let droppedPartitions: string[] = [];
  if (tenantIds.length) {
    const before = new Date(now.getTime() - (longest + 1) * DAY).toISOString().slice(0, 10);
    const rows = await db().$queryRaw<{ name: string }[]>`SELECT drop_run_event_partitions(${before}::date) AS name`;
    droppedPartitions = rows.map((r) => r.name);
  }
  const tenants = [];
  for (const tenantId of tenantIds) tenants.push(await applyTenantRetention({ tenantId, now }));
  return { tenants, droppedPartitions };
}
