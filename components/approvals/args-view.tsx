import { cx } from "@/components/ui/cx";
import type { ArgChange, ArgTrigger, JsonPath } from "@/lib/approvals/schemas";

const keyOf = (path: JsonPath) => JSON.stringify(path);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const short = (v: unknown) => {
  const text = JSON.stringify(v) ?? "undefined";
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

type Marks = { triggers: Map<string, ArgTrigger>; changes: Map<string, ArgChange> };

function Line({ depth, path, marks, children }: { depth: number; path: JsonPath | null; marks: Marks; children: React.ReactNode }) {
  const trigger = path ? marks.triggers.get(keyOf(path)) : undefined;
  const change = path ? marks.changes.get(keyOf(path)) : undefined;
  return (
    <div
      className={cx(
        "flex gap-3 border-l-2 pr-2",
        trigger ? "border-amber-500 bg-amber-50" : change ? "border-brand-500 bg-brand-50/60" : "border-transparent",
      )}
      data-testid={trigger ? "arg-trigger" : change ? "arg-change" : undefined}
    >
      <span aria-hidden className="w-3 shrink-0 select-none text-center text-slate-400">
        {change ? (change.kind === "added" ? "+" : "~") : ""}
      </span>
      <span className="min-w-0 flex-1 whitespace-pre-wrap break-all" style={{ paddingLeft: `${depth * 1.25}rem` }}>
        {children}
      </span>
      {trigger || change ? (
        <span className="shrink-0 self-center font-sans text-[11px] leading-4">
          {trigger ? <span className="mr-2 rounded bg-amber-200 px-1 font-medium text-amber-950">triggered the rule: {trigger.why}</span> : null}
          {change ? (
            <span className="text-brand-700">{change.kind === "added" ? "new since the previous call" : <>was {short(change.before)}</>}</span>
          ) : null}
        </span>
      ) : null}
    </div>
  );
}

function Node({ name, value, path, depth, last, marks }: { name: string | null; value: unknown; path: JsonPath; depth: number; last: boolean; marks: Marks }) {
  const label = name === null ? null : <span className="text-slate-500">{JSON.stringify(name)}: </span>;
  const comma = last ? "" : ",";
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : isObject(value) ? Object.entries(value) : null;
  if (!children || children.length === 0) {
    const text = children ? (Array.isArray(value) ? "[]" : "{}") : JSON.stringify(value);
    return (
      <Line depth={depth} path={path} marks={marks}>
        {label}
        <span className={typeof value === "string" ? "text-emerald-800" : typeof value === "number" ? "text-brand-700" : "text-slate-900"}>{text}</span>
        {comma}
      </Line>
    );
  }
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return (
    <>
      <Line depth={depth} path={path} marks={marks}>
        {label}
        {open}
      </Line>
      {children.map(([k, v], i) => (
        <Node key={String(k)} name={Array.isArray(value) ? null : String(k)} value={v} path={[...path, k]} depth={depth + 1} last={i === children.length - 1} marks={marks} />
      ))}
      <Line depth={depth} path={null} marks={marks}>
        {close}
        {comma}
      </Line>
    </>
  );
}

const pathText = (path: JsonPath) => path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

/**
 * The arguments as pretty JSON, exactly as they will be sent: the fields that triggered
 * the rule marked amber, and (against the previous similar call) changed or new fields
 * marked with what they were, removed ones listed below. Marks are spelled out in text,
 * not only by colour.
 */
export function ArgsView({ args, triggers = [], changes = [], label }: { args: Record<string, unknown>; triggers?: ArgTrigger[]; changes?: ArgChange[]; label: string }) {
  const marks: Marks = { triggers: new Map(triggers.map((t) => [keyOf(t.path), t])), changes: new Map(changes.filter((c) => c.kind !== "removed").map((c) => [keyOf(c.path), c])) };
  const removed = changes.filter((c) => c.kind === "removed");
  return (
    <div>
      <div role="group" aria-label={label} className="overflow-x-auto rounded-md bg-slate-50 py-2 font-mono text-xs leading-5 text-slate-800 ring-1 ring-inset ring-slate-200" data-testid="args-json">
        <Node name={null} value={args} path={[]} depth={0} last marks={marks} />
      </div>
      {removed.length ? (
        <div className="mt-2 text-xs">
          <div className="font-medium text-slate-600">Removed since the previous call</div>
          <ul className="mt-1 space-y-0.5 font-mono" data-testid="arg-removed">
            {removed.map((c) => (
              <li key={keyOf(c.path)} className="text-slate-500">
                <span aria-hidden>− </span>
                <del>
                  {pathText(c.path)}: {short(c.before)}
                </del>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
