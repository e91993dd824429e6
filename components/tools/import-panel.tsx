"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { ApiError, consoleApi, type ConsoleBody } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cx } from "@/components/ui/cx";
import { Field, FormError, Input, Select, inputClass } from "@/components/ui/field";
import { Table, Td, Th } from "@/components/ui/table";
import { ArgumentList, ReversibleBadge, RiskBadge } from "./risk-badge";
import type { ImportResult, PlannedOperation, Tool } from "./types";

type Format = NonNullable<ConsoleBody<"POST", "/t/[tenant]/tools/import">["format"]>;
const FORMATS: { value: Format; label: string }[] = [
  { value: "auto", label: "Auto-detect" },
  { value: "mcp", label: "MCP tools/list" },
  { value: "openapi", label: "OpenAPI 3 (JSON)" },
];
const MAX_BYTES = 5 * 1024 * 1024;
const NEW_TOOL = "";

/** What the pasted text looks like, for the hint and the suggested tool name; the server decides. */
function sniff(text: string): { kind: "empty" } | { kind: "invalid" } | { kind: "mcp"; count: number } | { kind: "openapi"; version: string; title?: string } | { kind: "unknown" } {
  if (!text.trim()) return { kind: "empty" };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: "invalid" };
  }
  const o = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  if (typeof o.openapi === "string") {
    const info = (o.info ?? {}) as { title?: unknown };
    return { kind: "openapi", version: o.openapi, ...(typeof info.title === "string" ? { title: info.title } : {}) };
  }
  const result = (o.result ?? {}) as { tools?: unknown };
  const tools = Array.isArray(doc) ? doc : Array.isArray(o.tools) ? o.tools : Array.isArray(result.tools) ? result.tools : null;
  return tools ? { kind: "mcp", count: tools.length } : { kind: "unknown" };
}

/** "Stripe API" → "stripe". */
function suggestName(title: string | undefined): string {
  if (!title) return "";
  return title
    .toLowerCase()
    .replace(/\b(rest|http)?\s*api\b/g, "")
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|-+$/g, "")
    .slice(0, 64);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Import operations from a pasted (or uploaded) MCP `tools/list` response or OpenAPI
 * document: preview what would be added, updated, left unchanged and kept, with the
 * warnings for what was skipped; then confirm. Existing operations keep their risk class.
 */
export function ImportPanel({
  slug,
  tools,
  initialToolId,
  onDone,
  onCancel,
}: {
  slug: string;
  tools: Tool[];
  initialToolId?: string;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const ids = useId();
  const [target, setTarget] = useState(initialToolId ?? NEW_TOOL);
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [format, setFormat] = useState<Format>("auto");
  const [text, setText] = useState("");
  const [fileError, setFileError] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportResult | null>(null);

  const sniffed = useMemo(() => sniff(text), [text]);
  const suggested = sniffed.kind === "openapi" ? suggestName(sniffed.title) : "";
  const existing = tools.find((t) => t.id === target);
  const toolName = existing ? existing.name : name.trim() || suggested;

  const body = (confirm: boolean) => ({
    tool: { name: toolName, ...(!existing && displayName.trim() ? { displayName: displayName.trim() } : {}) },
    format,
    document: text,
    confirm,
    ...(confirm && preview ? { fingerprint: preview.plan.fingerprint } : {}),
  });

  const previewImport = useMutation({
    mutationFn: () => consoleApi("POST", "/t/[tenant]/tools/import", { params: { tenant: slug }, body: body(false) }),
    onSuccess: (r) => {
      setPreview(r);
      apply.reset();
    },
  });
  const apply = useMutation({
    mutationFn: () => consoleApi("POST", "/t/[tenant]/tools/import", { params: { tenant: slug }, body: body(true) }),
    onSuccess: (r) => {
      const parts = [r.plan.add.length ? `${plural(r.plan.add.length, "operation")} added` : null, r.plan.update.length ? `${r.plan.update.length} updated` : null].filter(Boolean);
      onDone(`Imported into ${r.tool.displayName} (${r.tool.name}): ${parts.join(", ") || "nothing changed"}. The import is in the audit log.`);
    },
  });

  /** Any edit makes the preview stale. */
  function edited() {
    setPreview(null);
    previewImport.reset();
    apply.reset();
  }

  async function readFile(file: File | undefined) {
    setFileError(null);
    if (!file) return;
    if (file.size > MAX_BYTES) return setFileError(`${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; at most 5 MB.`);
    setText(await file.text());
    edited();
  }

  const previewError = previewImport.error?.message ?? null;
  const stale = apply.error instanceof ApiError && apply.error.code === "conflict";
  const plan = preview?.plan;
  const changes = plan ? plan.add.length + plan.update.length : 0;

  return (
    <div className="space-y-4">
      <form
        noValidate
        aria-label="Import operations"
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (!toolName) return setFileError("Name the tool to import into.");
          setFileError(null);
          previewImport.mutate();
        }}
      >
        <div className="grid gap-4 md:grid-cols-3">
          <Field label="Import into">
            {(id) => (
              <Select
                id={id}
                value={target}
                onChange={(e) => {
                  setTarget(e.target.value);
                  edited();
                }}
              >
                <option value={NEW_TOOL}>A new tool…</option>
                {tools.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.displayName} ({t.name})
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {existing ? null : (
            <>
              <Field label="Tool name" hint="Lower-case, e.g. github. Created on import.">
                {(id) => (
                  <Input
                    id={id}
                    value={name}
                    placeholder={suggested || "e.g. github"}
                    onChange={(e) => {
                      setName(e.target.value);
                      edited();
                    }}
                    autoComplete="off"
                    spellCheck={false}
                    className="font-mono"
                  />
                )}
              </Field>
              <Field label="Display name" hint="Optional; defaults to the document's title or the name.">
                {(id) => (
                  <Input
                    id={id}
                    value={displayName}
                    placeholder={sniffed.kind === "openapi" ? sniffed.title : undefined}
                    onChange={(e) => {
                      setDisplayName(e.target.value);
                      edited();
                    }}
                    autoComplete="off"
                  />
                )}
              </Field>
            </>
          )}
        </div>

        <fieldset className="space-y-1">
          <legend className="text-xs font-medium text-slate-700">Format</legend>
          <div className="flex flex-wrap gap-4">
            {FORMATS.map((f) => (
              <label key={f.value} className="flex items-center gap-1.5 text-sm text-slate-800">
                <input
                  type="radio"
                  name={`${ids}-format`}
                  value={f.value}
                  checked={format === f.value}
                  onChange={() => {
                    setFormat(f.value);
                    edited();
                  }}
                  className="h-4 w-4 border-slate-300 text-brand-600 focus:ring-brand-500"
                />
                {f.label}
              </label>
            ))}
          </div>
        </fieldset>

        <div className="space-y-1">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <label htmlFor={`${ids}-document`} className="block text-xs font-medium text-slate-700">
              Document (JSON)
            </label>
            <label className="cursor-pointer text-xs font-medium text-brand-700 hover:underline">
              Upload a .json file
              <input type="file" accept=".json,application/json" className="sr-only" onChange={(e) => void readFile(e.target.files?.[0])} />
            </label>
          </div>
          <textarea
            id={`${ids}-document`}
            rows={10}
            spellCheck={false}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              edited();
            }}
            placeholder={'Paste an MCP tools/list response — {"tools": [{"name": …, "inputSchema": …}]} — or an OpenAPI 3 document.'}
            className={cx(inputClass, "font-mono text-xs leading-5")}
          />
          <p className="text-xs text-slate-500" data-testid="import-detected">
            {sniffed.kind === "empty"
              ? "MCP: the result of tools/list (or the whole JSON-RPC response). OpenAPI: a 3.0 or 3.1 document in JSON."
              : sniffed.kind === "invalid"
                ? "This is not valid JSON yet."
                : sniffed.kind === "mcp"
                  ? `Looks like an MCP tool list with ${plural(sniffed.count, "tool")}.`
                  : sniffed.kind === "openapi"
                    ? `Looks like an OpenAPI ${sniffed.version} document${sniffed.title ? `: ${sniffed.title}` : ""}.`
                    : "Neither an MCP tool list nor an OpenAPI document, as far as the console can tell."}
          </p>
        </div>

        <FormError message={fileError ?? previewError} />
        <div className="flex items-center gap-2">
          <Button type="submit" variant={preview ? "secondary" : "primary"} disabled={previewImport.isPending || !text.trim()}>
            {previewImport.isPending ? "Reading…" : preview ? "Preview again" : "Preview import"}
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>

      {preview && plan ? (
        <section aria-label="Import preview" className="space-y-3 rounded-md bg-slate-50 p-4 ring-1 ring-inset ring-slate-200">
          <div className="flex flex-wrap items-center gap-2 text-sm text-slate-800">
            <span className="font-medium">
              {plan.format === "mcp" ? "MCP tool list" : `OpenAPI document${plan.title ? ` “${plan.title}”` : ""}`} →{" "}
              <span className="font-mono">{preview.tool.name}</span>
            </span>
            {!preview.tool.exists ? (
              <Badge tone="brand">new tool: {preview.tool.displayName}</Badge>
            ) : existing ? null : (
              <Badge tone="amber">already registered: the operations go into {preview.tool.displayName}</Badge>
            )}
          </div>
          <p className="text-sm text-slate-700" data-testid="import-summary">
            {plural(plan.add.length, "operation")} to add, {plan.update.length} to update, {plan.unchanged.length} unchanged
            {plan.kept.length ? `, ${plan.kept.length} kept (not in the document)` : ""}
            {plan.warnings.length ? `, ${plural(plan.warnings.length, "warning")}` : ""}.
          </p>

          {plan.add.length ? <PlanTable title="To add" caption="Risk classes are guessed; change them after the import." rows={plan.add} /> : null}
          {plan.update.length ? (
            <PlanTable title="To update" caption="Description and argument schema from the document; risk class and reversibility stay as they are." rows={plan.update} />
          ) : null}
          {plan.unchanged.length ? (
            <details className="text-sm text-slate-700">
              <summary className="cursor-pointer">Unchanged ({plan.unchanged.length})</summary>
              <p className="mt-1 font-mono text-xs text-slate-600">{plan.unchanged.join(", ")}</p>
            </details>
          ) : null}
          {plan.kept.length ? (
            <details className="text-sm text-slate-700">
              <summary className="cursor-pointer">Kept, not in the document ({plan.kept.length})</summary>
              <p className="mt-1 text-xs text-slate-600">An import never deletes: delete these by hand if they are gone.</p>
              <p className="mt-1 font-mono text-xs text-slate-600">{plan.kept.join(", ")}</p>
            </details>
          ) : null}
          {plan.warnings.length ? (
            <div className="rounded-md bg-amber-50 px-3 py-2 ring-1 ring-inset ring-amber-200" role="region" aria-label="Import warnings">
              <p className="text-sm font-medium text-amber-900">
                {plural(plan.warnings.length, "warning")}
                {plan.warnings.some((w) => w.skipped) ? ` — ${plan.warnings.filter((w) => w.skipped).length} skipped` : ""}
              </p>
              <ul className="mt-1 max-h-48 list-disc space-y-0.5 overflow-y-auto pl-5 text-xs text-amber-900">
                {plan.warnings.map((w, i) => (
                  <li key={i}>{w.message}</li>
                ))}
              </ul>
            </div>
          ) : null}

          <FormError message={apply.error ? apply.error.message : null} />
          <div className="flex items-center gap-2">
            {changes > 0 && !stale ? (
              <Button onClick={() => apply.mutate()} disabled={apply.isPending}>
                {apply.isPending ? "Importing…" : `Import ${plural(changes, "operation")}`}
              </Button>
            ) : stale ? (
              <Button onClick={() => previewImport.mutate()} disabled={previewImport.isPending}>
                Preview again
              </Button>
            ) : (
              <p className="text-sm text-slate-600">Nothing to import: the tool already has these operations as the document describes them.</p>
            )}
          </div>
        </section>
      ) : null}
    </div>
  );
}

function PlanTable({ title, caption, rows }: { title: string; caption: string; rows: (PlannedOperation & { changes?: string[] })[] }) {
  return (
    <div className="space-y-1">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">
        {title} ({rows.length}) <span className="font-normal normal-case tracking-normal">— {caption}</span>
      </h3>
      <Table label={`${title}: operations`}>
        <thead>
          <tr>
            <Th>Operation</Th>
            <Th>Risk</Th>
            <Th>Reversible</Th>
            <Th>Arguments</Th>
            {rows.some((r) => r.changes) ? <Th>Changes</Th> : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.name}>
              <Td>
                <div className="font-mono text-xs text-slate-900">{r.name}</div>
                {r.description ? <div className="line-clamp-1 max-w-md text-xs text-slate-500">{r.description}</div> : null}
              </Td>
              <Td>
                <span className="flex items-center gap-1.5">
                  <RiskBadge risk={r.riskClass} />
                  <span className="text-xs text-slate-400">{r.basis === "kept" ? "kept" : `from ${r.basis}`}</span>
                </span>
              </Td>
              <Td>
                <ReversibleBadge reversible={r.reversible} />
              </Td>
              <Td>
                <ArgumentList args={r.arguments.map((a) => ({ name: a, required: r.required.includes(a) }))} />
              </Td>
              {r.changes ? <Td className="text-xs">{r.changes.map((c) => (c === "argsSchema" ? "argument schema" : c)).join(", ")}</Td> : null}
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
