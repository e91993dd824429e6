"use client";

import Link from "next/link";
import { Icons } from "@/components/ui/icons";
import { Time } from "@/components/ui/time";
import type { ActiveKillSwitch } from "./types";
import { killSwitchScope, useActiveKillSwitches } from "./use-active-kill-switches";

/**
 * Shown on every console page while any kill switch is on. The tenant layout renders it
 * with the switches it loaded; it then stays current without a reload.
 */
export function KillSwitchBanner({ slug, initial, manageHref }: { slug: string; initial: ActiveKillSwitch[]; manageHref?: string }) {
  const { data: switches } = useActiveKillSwitches(slug, initial);
  if (switches.length === 0) return null;
  return (
    <div role="status" data-testid="kill-switch-banner" className="mb-5 rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-red-900 shadow-sm">
      <div className="flex items-start gap-2.5">
        <Icons.alert className="mt-0.5 h-5 w-5 text-red-600" />
        <ul className="min-w-0 flex-1 space-y-1">
          {switches.map((ks) => (
            <li key={ks.id} className="text-sm">
              <strong className="font-semibold">Kill switch on: {killSwitchScope(ks)}</strong> — {ks.reason}{" "}
              <span className="text-xs text-red-800">
                (by {ks.createdBy}, <Time value={ks.createdAt} />)
              </span>
            </li>
          ))}
        </ul>
        {manageHref ? (
          <Link href={manageHref} className="shrink-0 text-xs font-medium text-red-800 underline hover:text-red-950">
            Manage kill switches
          </Link>
        ) : null}
      </div>
    </div>
  );
}
