import { withTenant } from "@/lib/db/tenant";
import { dispatchDeliveries } from "./queue-notification";

/**
 * Deliveries written but never attempted after `olderThanMs` (their dispatch was lost:
 * a crash between commit and enqueue, or Redis was down) go to the queue again. The job id
 * is the delivery id, so one still queued is not added twice.
 */
export async function redispatchStaleDeliveries(input: { tenantId: string; now?: Date; olderThanMs?: number }): Promise<number> {
  const cutoff = new Date((input.now ?? new Date()).getTime() - (input.olderThanMs ?? 30_000));
  const stale = await withTenant({ tenantId: input.tenantId }, (tx) =>
    tx.notificationDelivery.findMany({
      where: { tenantId: input.tenantId, status: "pending", lastAttemptAt: null, createdAt: { lte: cutoff } },
      select: { id: true },
      take: 500,
    }),
  );
  await dispatchDeliveries(input.tenantId, stale.map((d) => d.id));
  return stale.length;
}
