import { randomBytes } from "node:crypto";
import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { Tx } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { checkOutboundTarget, OutboundError } from "@/lib/outbound/fetch";
import { dispatchDeliveries, queueNotification } from "./queue-notification";
import type { DeliveryRow, DeliveryStatus, NotificationSettings, WebhookInput } from "./schemas";
import { sealWebhookSecret, webhookSecret } from "./webhook-secret";

const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;
const hint = (secret: string) => `${secret.slice(0, 6)}…${secret.slice(-4)}`;

/**
 * Refuses, at save time, a URL whose host is an internal address in any encoding, or a
 * name that resolves to one (SSRF, issue 13); every delivery checks again at connect time.
 */
async function assertDeliverableUrl(url: string) {
  try {
    await checkOutboundTarget(url);
  } catch (e) {
    if (e instanceof OutboundError) throw new AppError("validation_failed", e.publicMessage, [{ path: "url", message: e.publicMessage }]);
    throw e;
  }
}

async function readSettings(tx: Tx, tenantId: string, limit = 50): Promise<NotificationSettings> {
  const [webhook, deliveries] = await Promise.all([
    tx.notificationWebhook.findFirst({ where: { tenantId } }),
    tx.notificationDelivery.findMany({ where: { tenantId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit }),
  ]);
  return {
    webhook: webhook
      ? { url: webhook.url, enabled: webhook.enabled, secretHint: hint(await webhookSecret(tx, webhook)), createdAt: webhook.createdAt.toISOString(), updatedAt: webhook.updatedAt.toISOString() }
      : null,
    deliveries: deliveries.map(
      (d): DeliveryRow => ({
        id: d.id,
        kind: d.kind,
        text: typeof (d.payload as { text?: unknown })?.text === "string" ? (d.payload as { text: string }).text : "",
        url: d.url,
        status: d.status as DeliveryStatus,
        attempts: d.attempts,
        lastStatus: d.lastStatus,
        lastError: d.lastError,
        createdAt: d.createdAt.toISOString(),
        lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
      }),
    ),
  };
}

/** The tenant's webhook (never its secret) and its latest deliveries, newest first. */
export async function getNotificationSettings(input: { tenantId: string; limit?: number }): Promise<NotificationSettings> {
  return withTenant({ tenantId: input.tenantId }, (tx) => readSettings(tx, input.tenantId, input.limit));
}

/**
 * Creates or updates the tenant's one webhook. Creating generates its signing secret and
 * answers it once (`secret`); updating keeps the secret. Audited (URL and enabled, never the secret).
 */
export async function saveWebhook(input: { actor: MemberContext; webhook: WebhookInput; requestId?: string }): Promise<{ secret: string | null; settings: NotificationSettings }> {
  const tenantId = input.actor.tenant.id;
  const enabled = input.webhook.enabled ?? true;
  await assertDeliverableUrl(input.webhook.url);
  return withTenant({ tenantId }, async (tx) => {
    const before = await tx.notificationWebhook.findFirst({ where: { tenantId } });
    const secret = before ? null : newSecret();
    if (before) await tx.notificationWebhook.update({ where: { tenantId }, data: { url: input.webhook.url, enabled } });
    else
      await tx.notificationWebhook.create({
        data: { tenantId, url: input.webhook.url, enabled, secretSealed: sealWebhookSecret(tenantId, secret!), createdById: input.actor.user.id },
      });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: before ? "notifications.webhook_updated" : "notifications.webhook_created",
      target: { type: "notification_webhook", id: tenantId },
      before: before ? { url: before.url, enabled: before.enabled } : null,
      after: { url: input.webhook.url, enabled },
      requestId: input.requestId,
    });
    return { secret, settings: await readSettings(tx, tenantId) };
  });
}

/** A new signing secret, answered once; the old one stops working at once. Audited. */
export async function regenerateWebhookSecret(input: { actor: MemberContext; requestId?: string }): Promise<{ secret: string; settings: NotificationSettings }> {
  const tenantId = input.actor.tenant.id;
  return withTenant({ tenantId }, async (tx) => {
    const webhook = await tx.notificationWebhook.findFirst({ where: { tenantId } });
    if (!webhook) throw new AppError("not_found", "Configure a webhook first.");
    const previous = await webhookSecret(tx, webhook);
    const secret = newSecret();
    await tx.notificationWebhook.update({ where: { tenantId }, data: { secretSealed: sealWebhookSecret(tenantId, secret), secret: null } });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "notifications.secret_regenerated",
      target: { type: "notification_webhook", id: tenantId },
      before: { secretHint: hint(previous) },
      after: { secretHint: hint(secret) },
      requestId: input.requestId,
    });
    return { secret, settings: await readSettings(tx, tenantId) };
  });
}

/** "Send test": one `test` message through the same path as every other (signed, retried). */
export async function sendTestNotification(input: { actor: MemberContext; requestId?: string }): Promise<{ deliveryId: string }> {
  const tenantId = input.actor.tenant.id;
  const deliveryId = await withTenant({ tenantId }, async (tx) => {
    const id = await queueNotification(tx, tenantId, {
      kind: "test",
      text: `Test message from Gatehouse (${input.actor.tenant.name}), sent by ${input.actor.user.email}. Your webhook works.`,
      data: { sent_by: input.actor.user.email },
    });
    if (!id) throw new AppError("conflict", "Configure and enable a webhook first.");
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "notifications.test_sent",
      target: { type: "notification_delivery", id },
      requestId: input.requestId,
    });
    return id;
  });
  await dispatchDeliveries(tenantId, [deliveryId]);
  return { deliveryId };
}
