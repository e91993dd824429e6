import { AppError } from "@/lib/http/errors";

/** Keyset cursor over the timeline order (ts, id): opaque base64url of "<ISO ts>|<id>". */
export type TimelineCursor = { ts: string; id: string };

export function encodeCursor(c: TimelineCursor): string {
  return Buffer.from(`${c.ts}|${c.id}`).toString("base64url");
}

export function decodeCursor(value: string): TimelineCursor {
  const text = Buffer.from(value, "base64url").toString("utf8");
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|(\d{1,19})$/.exec(text);
  if (!match) throw new AppError("validation_failed", "Query failed validation.", [{ path: "after", message: "Not a cursor this API issued." }]);
  return { ts: match[1]!, id: match[2]! };
}
