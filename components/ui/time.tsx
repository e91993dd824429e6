/** A timestamp rendered as UTC with the exact ISO value on hover; stable between server and client. */
export function Time({ value }: { value: string | Date | null | undefined }) {
  if (!value) return <span className="text-slate-400">—</span>;
  const d = typeof value === "string" ? new Date(value) : value;
  const iso = d.toISOString();
  return (
    <time dateTime={iso} title={iso} className="tabular-nums whitespace-nowrap">
      {iso.slice(0, 10)} {iso.slice(11, 19)} UTC
    </time>
  );
}
