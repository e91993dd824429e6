import type { Tx } from "@/lib/db/client";
import { openSecret, sealSecret } from "@/lib/secrets/envelope";

/** The AAD of a tenant's webhook secret: a sealed secret copied to another tenant does not open. */
export const webhookSecretContext = (tenantId: string) => `${tenantId}/notification_webhook`;

export const sealWebhookSecret = (tenantId: string, secret: string) => sealSecret(secret, webhookSecretContext(tenantId));

/**
 * The webhook's HMAC secret, opened. A row still in plaintext (from before envelope
 * encryption) is sealed and cleared now, in the caller's transaction.
 */
export async function webhookSecret(tx: Tx, webhook: { tenantId: string; secret: string | null; secretSealed: string | null }): Promise<string> {
  if (webhook.secretSealed) return openSecret(webhook.secretSealed, webhookSecretContext(webhook.tenantId));
  const secret = webhook.secret!;
  await tx.notificationWebhook.updateMany({ where: { tenantId: webhook.tenantId, secretSealed: null }, data: { secretSealed: sealWebhookSecret(webhook.tenantId, secret), secret: null } });
  return secret;
}
