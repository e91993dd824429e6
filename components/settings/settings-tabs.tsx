"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cx } from "@/components/ui/cx";

export function SettingsTabs({ slug, showMembers, showNotifications = false, showFailedJobs = false }: { slug: string; showMembers: boolean; showNotifications?: boolean; showFailedJobs?: boolean }) {
  const pathname = usePathname();
  const tabs = [{ href: `/t/${slug}/settings`, label: "General" }, ...(showMembers ? [{ href: `/t/${slug}/settings/members`, label: "Members" }] : []), ...(showNotifications ? [{ href: `/t/${slug}/settings/notifications`, label: "Notifications" }] : []), ...(showFailedJobs ? [{ href: `/t/${slug}/settings/failed-jobs`, label: "Failed jobs" }] : [])];
  return (
    <nav aria-label="Settings" className="mb-6 flex gap-1 border-b border-slate-200">
      {tabs.map((t) => (
        <Link
          key={t.href}
          href={t.href}
          aria-current={pathname === t.href ? "page" : undefined}
          className={cx(
            "-mb-px border-b-2 px-3 py-2 text-sm font-medium",
            pathname === t.href ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900",
          )}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
