import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The signature header every webhook delivery carries (docs/APPROVALS.md):
 *   X-Gatehouse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * Receivers recompute it over the raw body bytes, compare in constant time and refuse a
 * `t` older than a few minutes (replay).
 */
export const SIGNATURE_HEADER = "X-Gatehouse-Signature";

export function signBody(secret: string, body: string, t: number = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

/** Receiver side, for tests and docs: true when `header` signs `body` with `secret` within `toleranceSeconds`. */
export function verifySignature(input: { secret: string; body: string; header: string | null | undefined; toleranceSeconds?: number; now?: number }): boolean {
  if (!input.header) return false;
  const parts = Object.fromEntries(input.header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return false;
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(createHmac("sha256", input.secret).update(`${t}.${input.body}`).digest("hex"));
  const given = Buffer.from(parts.v1);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
