import { useEffect, useState } from "react";
import type { Tone } from "@/components/ui/badge";
import type { ApprovalStatus } from "@/lib/approvals/schemas";

/**
 * "Now" by the server's clock, ticking every second: the first render uses the server's
 * time (so server and client HTML match); then the client's clock is corrected by the
 * offset seen at mount, so countdowns agree with the server's expiry.
 */
export function useServerNow(serverNow: number): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const offset = serverNow - Date.now();
    const tick = () => setNow(Date.now() + offset);
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [serverNow]);
  return now;
}

/** Time left, compact: "4:07", "1 h 05 min", "2 d 3 h"; "expired" when none is left. */
export function formatCountdown(ms: number): string {
  if (ms <= 0) return "expired";
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
  return `${Math.floor(minutes / 1440)} d ${Math.floor((minutes % 1440) / 60)} h`;
}

/** The same in words, for screen readers and titles. */
export function describeCountdown(ms: number): string {
  if (ms <= 0) return "expired";
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "expires in less than a minute";
  if (minutes < 60) return `expires in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.floor(minutes / 60);
  return `expires in ${hours} hour${hours === 1 ? "" : "s"} ${minutes % 60} minute${minutes % 60 === 1 ? "" : "s"}`;
}

export const STATUS_TONE: Record<ApprovalStatus, Tone> = { pending: "amber", approved: "green", denied: "red", expired: "neutral", cancelled: "neutral" };

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "1 of 2 approvals" and what is still needed. */
export function approvalProgress(approvals: number, required: number): string {
  const more = Math.max(0, required - approvals);
  return `${approvals} of ${required} ${required === 1 ? "approval" : "approvals"}${more > 0 ? ` · ${more} more needed` : ""}`;
}
