import { z } from "zod";

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
