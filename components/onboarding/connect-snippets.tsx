"use client";

import { useId, useRef, useState } from "react";
import { CopyButton } from "@/components/agents/copy-button";
import { cx } from "@/components/ui/cx";
import type { Snippet } from "./types";

/**
 * The connection snippets as tabs (WAI-ARIA tabs: arrow keys, Home and End move between
 * them), each with its own copy button.
 */
export function ConnectSnippets({ snippets, label = "Connection snippets" }: { snippets: Snippet[]; label?: string }) {
  const [active, setActive] = useState(0);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const id = useId();
  const current = snippets[active];
  if (!current) return null;

  function onKeyDown(e: React.KeyboardEvent) {
    const last = snippets.length - 1;
    const next = e.key === "ArrowRight" ? (active === last ? 0 : active + 1) : e.key === "ArrowLeft" ? (active === 0 ? last : active - 1) : e.key === "Home" ? 0 : e.key === "End" ? last : null;
    if (next === null) return;
    e.preventDefault();
    setActive(next);
    tabs.current[next]?.focus();
  }

  return (
    <div className="rounded-md ring-1 ring-slate-200" data-testid="connect-snippets">
      <div role="tablist" aria-label={label} className="flex flex-wrap gap-1 border-b border-slate-200 bg-slate-50 px-2 pt-2" onKeyDown={onKeyDown}>
        {snippets.map((s, i) => (
          <button
            key={s.id}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${s.id}`}
            aria-selected={i === active}
            aria-controls={`${id}-panel`}
            tabIndex={i === active ? 0 : -1}
            onClick={() => setActive(i)}
            className={cx(
              "-mb-px rounded-t-md border px-2.5 py-1.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-brand-600",
              i === active ? "border-slate-200 border-b-white bg-white text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900",
            )}
          >
            {s.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${current.id}`} className="space-y-2 p-3">
        <div className="flex items-start justify-between gap-3">
          <p className="text-xs text-slate-600">{current.note}</p>
          <CopyButton value={current.code} label={`Copy the ${current.label} snippet`} />
        </div>
        <pre className="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-[12px] leading-relaxed text-slate-100" data-testid="snippet-code">
          <code>{current.code}</code>
        </pre>
      </div>
    </div>
  );
}
