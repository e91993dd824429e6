import type { QuotaWindow } from "./schemas";

/**
 * The counting bucket a moment falls in, in UTC: windows are fixed (calendar) periods, not
 * sliding, so "per day" resets at midnight UTC and "per calendar month" on the 1st.
 * A run window is the run itself and never resets by time.
 */
export function windowBucket(window: QuotaWindow, now: Date, runId: string): { bucket: string; resetsAt: Date | null } {
  const t = now.getTime();
  switch (window) {
    case "run":
      return { bucket: `run:${runId}`, resetsAt: null };
    case "minute":
    case "hour":
    case "day": {
      const size = window === "minute" ? 60_000 : window === "hour" ? 3_600_000 : 86_400_000;
      const start = Math.floor(t / size) * size;
      return { bucket: `${window}:${start}`, resetsAt: new Date(start + size) };
    }
    case "month": {
      const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
      return { bucket: `month:${start}`, resetsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)) };
    }
  }
}

/** Run counters outlive the run by this long after their last use. */
export const RUN_COUNTER_TTL_MS = 7 * 86_400_000;

/** When a counter may be forgotten: an hour after its window ends (the Usage page still shows it). */
export function counterExpiry(resetsAt: Date | null, now: Date): number {
  return resetsAt ? resetsAt.getTime() + 3_600_000 : now.getTime() + RUN_COUNTER_TTL_MS;
}
