import { z } from "zod";
import { AppError } from "@/lib/errors";

/** Keyset cursor over the timeline order (ts, id): opaque base64url of "<ISO ts>|<id>". */
export type TimelineCursor = { ts: string; id: string };

/** Postgres bigint's largest value: a larger id would fail in the query (a 500), not match nothing. */
export const MAX_BIGINT = 9223372036854775807n;

export function encodeCursor(c: TimelineCursor): string {
  return Buffer.from(`${c.ts}|${c.id}`).toString("base64url");
}

export const notACursor = (path: string) =>
  new AppError("validation_failed", "Query failed validation.", [{ path, message: "Not a cursor this API issued." }]);

/**
 * The instant an ISO timestamp names, or null when it names none Postgres can store:
 * `Date` rolls month 13 over into the next year and accepts year 0, which Postgres refuses.
 */
export function storableInstant(iso: string): Date | null {
  const at = new Date(iso);
  return isStorableDate(at) && at.toISOString() === iso ? at : null;
}

const isStorableDate = (at: Date) => !Number.isNaN(at.getTime()) && at.getUTCFullYear() >= 1 && at.getUTCFullYear() <= 9999;

/** An ISO timestamp query parameter (`from`, `to`) that Postgres can compare against. */
export const instantParam = z.iso
  .datetime({ offset: true })
  .refine((v) => isStorableDate(new Date(v)), "Out of range: years 0001 to 9999.");

export function decodeCursor(value: string, path = "after"): TimelineCursor {
  const text = Buffer.from(value, "base64url").toString("utf8");
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|(\d{1,19})$/.exec(text);
  if (!match || !storableInstant(match[1]!) || BigInt(match[2]!) > MAX_BIGINT) throw notACursor(path);
  return { ts: match[1]!, id: match[2]! };
}
