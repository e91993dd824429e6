import { withTenant } from "@/lib/db/tenant";
import { withTenantPg } from "@/lib/ingest/pg-writer";
import { dispatchDeliveries, queueNotification } from "@/lib/notifications/queue-notification";
import { recordServerEvents } from "@/lib/runs/record-server-events";
import type { GatewayEventJob } from "./schemas";

/**
 * Writes one attested gateway event (worker, decisions queue). Idempotent: the timeline
 * entry is keyed by (agent, "server", key), so a job retried after a worker crash writes
 * it once. A result also marks the connection used, or refused by the upstream; the
 * first refusal since the last rotation alerts the tenant's webhook, once (the delivery
 * commits with the mark; a lost dispatch is picked up by the maintenance sweep).
 */
export async function recordGatewayEvent(job: GatewayEventJob): Promise<{ inserted: number }> {
  const { deliveryId, inserted } = await withTenant({ tenantId: job.tenantId }, async (tx) => {
    const written = await recordServerEvents(tx, {
      tenantId: job.tenantId,
      events: [{ agentId: job.agentId, runExternalId: job.runExternalId, key: job.key, type: job.type, ts: new Date(job.ts), payload: job.payload }],
    });
    const done = { deliveryId: null as string | null, inserted: written.inserted };
    if (!job.connection || written.inserted === 0) return done;
    const at = new Date(job.ts);
    const { id, refused } = job.connection;
    if (!refused) {
      await tx.connection.updateMany({ where: { id, tenantId: job.tenantId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] }, data: { lastUsedAt: at } });
      return done;
    }
    await tx.connection.updateMany({ where: { id, tenantId: job.tenantId }, data: { lastUsedAt: at, lastFailureAt: at, lastFailureMessage: refused } });
    // Only the update that sets refusedAlertedAt alerts; later refusals find it set until a rotation clears it.
    const first = await tx.connection.updateMany({ where: { id, tenantId: job.tenantId, refusedAlertedAt: null }, data: { refusedAlertedAt: at } });
    if (first.count === 0) return done;
    const connection = await tx.connection.findFirstOrThrow({ where: { id }, select: { name: true } });
    const deliveryId = await queueNotification(tx, job.tenantId, {
      kind: "connection.refused",
      text: `The upstream refused the credential of connection "${connection.name}". Rotate it on the Connections page.`,
      data: { connection_id: id, tool: job.payload.tool, operation: job.payload.operation },
    });
    return { ...done, deliveryId };
  });
  if (deliveryId) await dispatchDeliveries(job.tenantId, [deliveryId]);
  return { inserted };
}

/**
 * Many attested events of one tenant (the worker's record stream): the timeline entries in
 * one plain-pg transaction with each connection's last use, instead of a Prisma transaction
 * per event (about 1 ms of worker CPU per gateway call). A result whose upstream refused the
 * credential goes through recordGatewayEvent, which alerts once.
 */
export async function recordGatewayEvents(tenantId: string, jobs: GatewayEventJob[]): Promise<void> {
  const refused = jobs.filter((job) => job.connection?.refused);
  const plain = jobs.filter((job) => !job.connection?.refused);
  if (plain.length > 0) {
    const lastUse = new Map<string, string>();
    for (const job of plain) if (job.connection && (lastUse.get(job.connection.id) ?? "") < job.ts) lastUse.set(job.connection.id, job.ts);
    await withTenantPg(tenantId, async (sql) => {
      await recordServerEvents(sql, {
        tenantId,
        events: plain.map((job) => ({ agentId: job.agentId, runExternalId: job.runExternalId, key: job.key, type: job.type, ts: new Date(job.ts), payload: job.payload })),
      });
      for (const [id, at] of lastUse) {
        await sql(`UPDATE connections SET "lastUsedAt" = $3 WHERE id = $1 AND "tenantId" = $2 AND ("lastUsedAt" IS NULL OR "lastUsedAt" < $3)`, [id, tenantId, at]);
      }
    });
  }
  for (const job of refused) await recordGatewayEvent(job);
}
