import { withTenant } from "@/lib/db/tenant";
import { logger } from "@/lib/logger";
import type { TenantMessage } from "./build-message";
import { dispatchDeliveries, queueNotification } from "./queue-notification";

/**
 * Sends a message to the tenant's outgoing webhook (Slack-compatible JSON, HMAC-signed,
 * delivered by the worker with retries; docs/APPROVALS.md). The one entry point for other
 * features, e.g. quota alerts: `notifyTenant(tenantId, { kind: "quota.threshold", text, data })`.
 *
 * A no-op when the tenant has no enabled webhook. Never throws into the caller's path:
 * database or Redis trouble is logged, and a delivery already written but not yet queued
 * is picked up by the maintenance sweep.
 */
export async function notifyTenant(tenantId: string, message: { kind: string; text: string; data?: Record<string, unknown> }): Promise<void> {
  let deliveryId: string | null = null;
  try {
    deliveryId = await withTenant({ tenantId }, (tx) => queueNotification(tx, tenantId, message satisfies TenantMessage));
  } catch (error) {
    logger.error("could not record tenant notification", { tenantId, kind: message.kind, error });
    return;
  }
  await dispatchDeliveries(tenantId, [deliveryId]);
}
