/** A key, as in the shortcut legend. */
export function Kbd({ children }: { children: React.ReactNode }) {
  return (
    <kbd className="inline-flex min-w-5 items-center justify-center rounded border border-slate-300 bg-white px-1 font-mono text-[11px] leading-4 text-slate-700 shadow-[0_1px_0_rgb(203_213_225)]">
      {children}
    </kbd>
  );
}

/** The keyboard shortcuts of a page, always visible. */
export function ShortcutLegend({ items }: { items: [keys: string[], what: string][] }) {
  return (
    <ul aria-label="Keyboard shortcuts" className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-500" data-testid="shortcut-legend">
      {items.map(([keys, what]) => (
        <li key={what} className="flex items-center gap-1">
          {keys.map((k, i) => (
            <span key={k} className="flex items-center gap-1">
              {i > 0 ? <span aria-hidden>/</span> : null}
              <Kbd>{k}</Kbd>
            </span>
          ))}
          <span>{what}</span>
        </li>
      ))}
    </ul>
  );
}

/** Should a page-level single-key shortcut fire for this key event? Not while typing, in a dialog, or with a modifier. */
export function isShortcutEvent(e: KeyboardEvent): boolean {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return false;
  const target = e.target as HTMLElement | null;
  if (target?.closest("input, textarea, select, [contenteditable=''], [contenteditable='true'], dialog")) return false;
  if (document.querySelector("dialog[open]")) return false;
  return true;
}
