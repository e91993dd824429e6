import { useEffect, useState } from "react";
import { ApiError } from "@/components/api";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A compact duration: "45 min", "7 h", "12 d". */
export function formatDuration(ms: number): string {
  const abs = Math.max(0, ms);
  if (abs < HOUR) return `${Math.max(1, Math.floor(abs / MINUTE))} min`;
  if (abs < DAY) return `${Math.floor(abs / HOUR)} h`;
  return `${Math.floor(abs / DAY)} d`;
}

/** Credentials older than this are flagged for rotation. */
export const STALE_CREDENTIAL_MS = 90 * DAY;

/**
 * "Now" for relative times: starts at the server's clock so the first client render
 * matches the server's HTML, then ticks every minute.
 */
export function useNow(serverNow: number): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), MINUTE);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** A `datetime-local` input value (browser time zone) for a moment `offsetMs` from now. */
export function localInputValue(offsetMs: number): string {
  const d = new Date(Date.now() + offsetMs - new Date().getTimezoneOffset() * MINUTE);
  return d.toISOString().slice(0, 16);
}

/** A `datetime-local` value as an ISO instant, or null when empty or unparsable. */
export function isoFromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * Per-field messages from an API validation error (`details: [{path, message}]`), keyed
 * by the first path segment ("labels.2" → "labels"), plus what is left for a form-level
 * message. Fields not in `known` stay in the form-level message.
 */
export function fieldErrors(error: unknown, known: readonly string[]): { fields: Record<string, string>; message: string | null } {
  if (!error) return { fields: {}, message: null };
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return { fields: {}, message: (error as Error).message };
  const fields: Record<string, string> = {};
  let unmatched = false;
  for (const d of error.details as { path?: string; message?: string }[]) {
    const key = String(d.path ?? "").split(".")[0] ?? "";
    if (known.includes(key)) fields[key] ??= d.message ?? "Invalid.";
    else unmatched = true;
  }
  if (Object.keys(fields).length === 0) return { fields, message: error.message };
  return { fields, message: unmatched ? error.message : "Not saved: correct the fields marked below." };
}
