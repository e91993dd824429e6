import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { cx } from "@/components/ui/cx";

const TABS = [
  { key: "allowlist", href: "", label: "Allowlist" },
  { key: "versions", href: "/versions", label: "Versions" },
  { key: "backtest", href: "/backtest", label: "Backtest" },
  { key: "capabilities", href: "/capabilities", label: "Capabilities" },
] as const;

export type PoliciesTab = (typeof TABS)[number]["key"];

/** The Policies section's title, its sub-pages as tabs, and the way to the tool registry. */
export function PoliciesHeader({ slug, active }: { slug: string; active: PoliciesTab }) {
  const base = `/t/${slug}/policies`;
  return (
    <div className="mb-6 border-b border-slate-200">
      <div className="flex flex-wrap items-end justify-between gap-4 pb-3">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold tracking-tight text-slate-900">Policies</h1>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">
            Default deny: an agent may call only what an allowlist names. Edits are a draft until published; every decision records the version it was made
            under.
          </p>
        </div>
        <Link href={`${base}/tools`} className={buttonClass("secondary")}>
          Tool registry
        </Link>
      </div>
      <nav aria-label="Policies sections" className="-mb-px flex gap-5">
        {TABS.map((tab) => {
          const current = tab.key === active;
          return (
            <Link
              key={tab.key}
              href={`${base}${tab.href}`}
              aria-current={current ? "page" : undefined}
              className={cx(
                "border-b-2 px-0.5 pb-2 text-sm font-medium",
                current ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900",
              )}
            >
              {tab.label}
            </Link>
          );
        })}
      </nav>
    </div>
  );
}
