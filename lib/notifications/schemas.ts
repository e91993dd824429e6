import { z } from "zod";

/**
 * Shapes shared by the notification services, their console routes and the settings UI
 * (importable from components/: no server modules).
 */

/** A webhook target: http(s) only (no file:, ftp:, javascript:, …), at most 2,000 characters. */
export const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && url.hostname.length > 0;
    } catch {
      return false;
    }
  }, "Enter an http:// or https:// URL.");

export function isWebhookUrl(value: string): boolean {
  return webhookUrl.safeParse(value).success;
}

/** PUT /api/console/t/[tenant]/notifications */
export const webhookInput = z.object({ url: webhookUrl, enabled: z.boolean().default(true) });
export type WebhookInput = z.input<typeof webhookInput>;

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type DeliveryRow = {
  id: string;
  kind: string;
  text: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
};

export type NotificationSettings = {
  webhook: { url: string; enabled: boolean; secretHint: string; createdAt: string; updatedAt: string } | null;
  deliveries: DeliveryRow[];
};
