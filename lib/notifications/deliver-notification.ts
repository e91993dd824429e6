import { withTenant } from "@/lib/db/tenant";
import { SIGNATURE_HEADER, signBody } from "./sign";
import { isWebhookUrl } from "./schemas";

export const DELIVERY_TIMEOUT_MS = 5_000;

export type DeliveryOutcome =
  | { result: "delivered"; attempts: number; httpStatus: number }
  | { result: "retry"; attempts: number; httpStatus: number | null; error: string }
  | { result: "failed"; attempts: number; httpStatus: number | null; error: string }
  | { result: "skipped" };

/**
 * One attempt at one delivery (the `notifications` worker calls this per try): POSTs the
 * stored JSON body to the tenant's current webhook URL, signed with its current secret
 * (`X-Gatehouse-Signature: t=…,v1=…`), with a 5 s timeout and no redirects followed. Any
 * 2xx delivers; anything else is recorded on the row (attempts, HTTP status, error) and
 * answers "retry" until `maxAttempts`, then "failed". A disabled or removed webhook fails
 * the delivery without sending.
 */
export async function deliverNotification(input: { tenantId: string; deliveryId: string; maxAttempts: number }): Promise<DeliveryOutcome> {
  const { tenantId, deliveryId } = input;
  const loaded = await withTenant({ tenantId }, async (tx) => {
    const delivery = await tx.notificationDelivery.findFirst({ where: { id: deliveryId, tenantId } });
    const webhook = await tx.notificationWebhook.findFirst({ where: { tenantId } });
    return { delivery, webhook };
  });
  const { delivery, webhook } = loaded;
  if (!delivery || delivery.status !== "pending") return { result: "skipped" };

  let httpStatus: number | null = null;
  let error: string | null = null;
  const url = webhook?.url ?? delivery.url;
  if (!webhook || !webhook.enabled) {
    error = "The webhook is disabled or was removed.";
  } else if (!isWebhookUrl(webhook.url)) {
    error = "The webhook URL is not http(s).";
  } else {
    const body = JSON.stringify(delivery.payload);
    try {
      const response = await fetch(webhook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Gatehouse-Webhooks/1",
          [SIGNATURE_HEADER]: signBody(webhook.secret, body),
          "X-Gatehouse-Delivery": delivery.id,
          "X-Gatehouse-Event": delivery.kind,
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      httpStatus = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) error = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      error = err.name === "TimeoutError" ? `Timed out after ${DELIVERY_TIMEOUT_MS / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message ?? "request failed");
    }
  }

  const now = new Date();
  const permanent = !webhook || !webhook.enabled || (webhook && !isWebhookUrl(webhook.url));
  return withTenant({ tenantId }, async (tx) => {
    const row = await tx.notificationDelivery.update({
      where: { id: deliveryId },
      data: { attempts: { increment: permanent ? 0 : 1 }, lastAttemptAt: now, lastStatus: httpStatus, lastError: error, url },
      select: { attempts: true },
    });
    if (!error) {
      await tx.notificationDelivery.update({ where: { id: deliveryId }, data: { status: "delivered", deliveredAt: now } });
      return { result: "delivered", attempts: row.attempts, httpStatus: httpStatus! };
    }
    if (permanent || row.attempts >= input.maxAttempts) {
      await tx.notificationDelivery.update({ where: { id: deliveryId }, data: { status: "failed" } });
      return { result: "failed", attempts: row.attempts, httpStatus, error };
    }
    return { result: "retry", attempts: row.attempts, httpStatus, error };
  });
}
