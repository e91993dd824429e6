import { withTenant } from "@/lib/db/tenant";
import { logger } from "@/lib/logger";
import { OutboundError, outboundFetch } from "@/lib/outbound/fetch";
import { SIGNATURE_HEADER, signBody } from "./sign";
import { webhookSecret } from "./webhook-secret";

export const DELIVERY_TIMEOUT_MS = 5_000;

export type DeliveryOutcome =
  | { result: "delivered"; attempts: number; httpStatus: number }
  | { result: "retry"; attempts: number; httpStatus: number | null; error: string }
  | { result: "failed"; attempts: number; httpStatus: number | null; error: string }
  | { result: "skipped" };

/**
 * One attempt at one delivery (the `notifications` worker calls this per try): POSTs the
 * stored JSON body to the tenant's current webhook URL, signed with its current secret
 * (`X-Gatehouse-Signature: t=…,v1=…`), through outboundFetch (internal addresses refused at
 * connect time, 5 s timeout, no redirects followed). Any 2xx delivers; anything else is
 * recorded on the row (attempts, HTTP status, error) and answers "retry" until
 * `maxAttempts`, then "failed". The recorded error is what the tenant sees, so it is the
 * outbound module's public message, never a system error or an address (a port scanner
 * otherwise). A disabled or removed webhook, or a URL that can never be called, fails the
 * delivery without retrying.
 */
export async function deliverNotification(input: { tenantId: string; deliveryId: string; maxAttempts: number }): Promise<DeliveryOutcome> {
  const { tenantId, deliveryId } = input;
  const loaded = await withTenant({ tenantId }, async (tx) => {
    const delivery = await tx.notificationDelivery.findFirst({ where: { id: deliveryId, tenantId } });
    const webhook = await tx.notificationWebhook.findFirst({ where: { tenantId } });
    return { delivery, webhook, secret: webhook?.enabled ? await webhookSecret(tx, webhook) : null };
  });
  const { delivery, webhook, secret } = loaded;
  if (!delivery || delivery.status !== "pending") return { result: "skipped" };

  let httpStatus: number | null = null;
  let error: string | null = null;
  let permanent = false;
  const url = webhook?.url ?? delivery.url;
  if (!webhook || !webhook.enabled || !secret) {
    error = "The webhook is disabled or was removed.";
    permanent = true;
  } else {
    const body = JSON.stringify(delivery.payload);
    try {
      const response = await outboundFetch({
        url: webhook.url,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Gatehouse-Webhooks/1",
          [SIGNATURE_HEADER]: signBody(secret, body),
          "X-Gatehouse-Delivery": delivery.id,
          "X-Gatehouse-Event": delivery.kind,
        },
        body,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        // The answer's body is not used: keep a little, never wait for a large one.
        maxResponseBytes: 4096,
        onTooLarge: "truncate",
      });
      httpStatus = response.status;
      if (response.status < 200 || response.status >= 300) error = `HTTP ${response.status}`;
    } catch (e) {
      if (!(e instanceof OutboundError)) throw e;
      logger.warn("webhook delivery failed", { tenantId, deliveryId, code: e.code, detail: e.message });
      error = e.publicMessage;
      permanent = e.code === "invalid_url" || e.code === "blocked_address" || e.code === "host_not_allowed";
    }
  }

  const now = new Date();
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
