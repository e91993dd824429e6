import { logger } from "@/lib/logger";
import { notifyTenant } from "@/lib/notifications/notify-tenant";
import type { QuotaMeter } from "./meter";
import type { QuotaLimit } from "./schemas";

/**
 * Sends the tenant's webhook a "limit almost used" alert when a counter crosses the
 * limit's alert threshold (e.g. 80%), once per counter and window. Never throws: an alert
 * that cannot be sent must not fail the call that crossed it.
 */
export async function alertOnCrossing(input: { meter: QuotaMeter; tenantId: string; limit: QuotaLimit; key: string; before: number; after: number; expireAtMs: number }) {
  const { limit } = input;
  if (limit.alertPercent <= 0) return;
  const threshold = (limit.limit * limit.alertPercent) / 100;
  if (!(input.before < threshold && input.after >= threshold)) return;
  try {
    if (!(await input.meter.once(`${input.key}:alerted`, input.expireAtMs))) return;
    const used = Math.round(input.after * 100) / 100;
    await notifyTenant(input.tenantId, {
      kind: "quota.threshold",
      text: `Limit ${limit.name} is at ${Math.round((input.after / limit.limit) * 100)}% (${used} of ${limit.limit}).`,
      data: { quota_id: limit.id, quota: limit.name, limit: limit.limit, used, alert_percent: limit.alertPercent, window: limit.window, scope: limit.scope, scope_ref: limit.scopeRef },
    });
  } catch (error) {
    logger.error("quota alert failed", { error, tenantId: input.tenantId, quota: limit.id });
  }
}
