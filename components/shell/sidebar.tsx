"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { Icons } from "@/components/ui/icons";
import { cx } from "@/components/ui/cx";
import { usePendingApprovalCount } from "@/components/approvals/queries";
import { NAV } from "./nav";

export function SidebarNav({ slug, visible, pendingApprovals }: { slug: string; visible: string[]; pendingApprovals: number }) {
  const pathname = usePathname();
  const { data: pending } = usePendingApprovalCount(slug, pendingApprovals);
  const base = `/t/${slug}`;
  return (
    <nav aria-label="Sections" className="space-y-0.5 px-2">
      {NAV.filter((item) => visible.includes(item.href)).map((item) => {
        const href = `${base}${item.href}`;
        const active = item.href === "" ? pathname === base : pathname.startsWith(href);
        const Icon = Icons[item.icon];
        return (
          <Link
            key={item.href}
            href={href}
            aria-current={active ? "page" : undefined}
            className={cx(
              "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium",
              active ? "bg-white/10 text-white" : "text-slate-300 hover:bg-white/5 hover:text-white",
            )}
          >
            <Icon />
            {item.label}
            {item.href === "/approvals" && pending > 0 ? (
              <span data-testid="pending-approvals-badge" className="ml-auto rounded-full bg-amber-400 px-1.5 text-xs font-semibold tabular-nums text-slate-900">
                {pending}
                <span className="sr-only"> pending</span>
              </span>
            ) : null}
          </Link>
        );
      })}
    </nav>
  );
}
