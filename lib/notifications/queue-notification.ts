import type { Tx } from "@/lib/db/client";
import { type Prisma } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { logger } from "@/lib/logger";
import { enqueue } from "@/lib/queue/registry";
import { buildWebhookBody, type TenantMessage } from "./build-message";

/**
 * Inside the caller's transaction (withTenant for `tenantId`): writes a pending delivery
 * for the tenant's enabled webhook, so the message commits with the change it announces.
 * Returns the delivery id, or null when the tenant has no enabled webhook. Call
 * `dispatchDeliveries` after the commit; the every-minute sweep re-dispatches any delivery
 * whose dispatch was lost (crash, Redis down).
 */
export async function queueNotification(tx: Tx, tenantId: string, messageOrBuild: TenantMessage | (() => Promise<TenantMessage>)): Promise<string | null> {
  const webhook = await tx.notificationWebhook.findFirst({ where: { tenantId, enabled: true }, select: { url: true } });
  if (!webhook) return null;
  // A builder runs only when there is a webhook (it may read more: agent names, emails).
  const message = typeof messageOrBuild === "function" ? await messageOrBuild() : messageOrBuild;
  const tenant = await tx.tenant.findFirst({ where: { id: tenantId }, select: { slug: true } });
  const id = newId("ntf");
  const body = buildWebhookBody({ tenantId, tenantSlug: tenant?.slug, deliveryId: id, message });
  await tx.notificationDelivery.create({
    data: { id, tenantId, kind: message.kind, url: webhook.url, payload: body as unknown as Prisma.InputJsonValue },
  });
  return id;
}

const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * Hands deliveries to the `notifications` queue. Never throws: with Redis unreachable it
 * logs and gives up after 2 s (BullMQ would otherwise wait for the reconnect); the rows
 * stay pending and the maintenance sweep dispatches them later. The job id is the
 * delivery id, so a second dispatch of a queued delivery is a no-op.
 */
export async function dispatchDeliveries(tenantId: string, deliveryIds: (string | null | undefined)[]): Promise<void> {
  const ids = deliveryIds.filter((id): id is string => Boolean(id));
  if (!ids.length) return;
  const add = Promise.all(ids.map((deliveryId) => enqueue("notifications", "notification.deliver", { tenantId, deliveryId }, { jobId: deliveryId })));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ENQUEUE_TIMEOUT_MS);
    timer.unref?.();
  });
  try {
    const result = await Promise.race([add.then(() => "ok" as const), timeout]);
    if (result === "timeout") logger.warn("notification dispatch timed out; the sweep will retry", { tenantId, deliveryIds: ids });
  } catch (error) {
    logger.error("could not dispatch notification; the sweep will retry", { tenantId, deliveryIds: ids, error });
  } finally {
    clearTimeout(timer);
  }
  add.catch(() => undefined); // a late rejection after the timeout is already logged above
}
