import { cx } from "@/components/ui/cx";
import { describeCountdown, formatCountdown } from "./format";

/** Time to expiry, red under 5 minutes and amber under 15; the exact expiry on hover. */
export function Countdown({ expiresAt, now, className }: { expiresAt: string; now: number; className?: string }) {
  const left = new Date(expiresAt).getTime() - now;
  const tone = left <= 0 ? "text-slate-500" : left < 5 * 60_000 ? "text-red-700 font-semibold" : left < 15 * 60_000 ? "text-amber-700 font-medium" : "text-slate-700";
  return (
    <time dateTime={expiresAt} title={`${describeCountdown(left)} (${expiresAt})`} className={cx("tabular-nums whitespace-nowrap", tone, className)} data-testid="countdown">
      {formatCountdown(left)}
    </time>
  );
}
