"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { consoleApi, type ConsoleBody } from "@/components/api";
import { GATEWAY_METHODS } from "@/lib/tools/schemas";
import { fieldErrors } from "@/components/agents/format";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input, Select, inputClass } from "@/components/ui/field";
import { cx } from "@/components/ui/cx";
import { RISK_CLASSES, RISK_LABEL, type Operation, type RiskClass, type Tool } from "./types";

const FIELDS = ["name", "description", "argsSchema", "riskClass", "reversible", "http", "sideEffectFields", "spendField"] as const;

/** The JSON in the schema box, or why it is not a usable schema yet (checked as you type; ajv runs on save). */
function parseSchema(text: string): { value: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { error: "Enter a JSON Schema, e.g. {\"type\": \"object\"}." };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `Not valid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { error: "The schema must be a JSON object." };
  return { value: value as Record<string, unknown> };
}

/**
 * Adds an operation to a tool (POST, by name) or edits one (PATCH of the changed
 * fields): description, risk class, reversibility and the JSON Schema its arguments must
 * match. JSON errors show as you type; the server compiles the schema with ajv and its
 * errors land under the box.
 */
export function OperationForm({
  slug,
  tool,
  operation,
  onSaved,
  onCancel,
}: {
  slug: string;
  tool: Tool;
  operation?: Operation;
  onSaved: (message: string) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(operation?.name ?? "");
  const [description, setDescription] = useState(operation?.description ?? "");
  const [riskClass, setRiskClass] = useState<RiskClass>(operation?.riskClass ?? "read");
  const [reversible, setReversible] = useState(operation?.reversible ?? true);
  const [schemaText, setSchemaText] = useState(() => JSON.stringify(operation?.argsSchema ?? { type: "object", properties: {}, additionalProperties: false }, null, 2));
  const [touched, setTouched] = useState(false);
  const [method, setMethod] = useState(operation?.http?.method ?? "");
  const [path, setPath] = useState(operation?.http?.path ?? "");
  const [spend, setSpend] = useState({ source: operation?.spendField?.source ?? "args", field: operation?.spendField?.field ?? "", unit: operation?.spendField?.unit ?? "cents" });
  const [effect, setEffect] = useState({ object_type: operation?.sideEffectFields?.object_type ?? "", id: operation?.sideEffectFields?.id ?? "", url: operation?.sideEffectFields?.url ?? "" });
  const schema = useMemo(() => parseSchema(schemaText), [schemaText]);
  const hintId = useId();

  const save = useMutation({
    mutationFn: async () => {
      if (!("value" in schema)) throw new Error(schema.error);
      const params = { tenant: slug, toolId: tool.id };
      if (operation) {
        const changes: ConsoleBody<"PATCH", "/t/[tenant]/tools/[toolId]/operations/[operationId]"> = {};
        if (description.trim() !== operation.description) changes.description = description;
        if (riskClass !== operation.riskClass) changes.riskClass = riskClass;
        if (reversible !== operation.reversible) changes.reversible = reversible;
        if (JSON.stringify(schema.value) !== JSON.stringify(operation.argsSchema)) changes.argsSchema = schema.value;
        const http = method && path.trim() ? { method, path: path.trim() } : null;
        if (JSON.stringify(http) !== JSON.stringify(operation.http)) {
          const gatewayMethod = GATEWAY_METHODS.find((m) => m === method);
          changes.http = http && gatewayMethod ? { method: gatewayMethod, path: http.path } : null;
        }
        const sideEffectFields = effect.object_type.trim()
          ? { object_type: effect.object_type.trim(), ...(effect.id.trim() && { id: effect.id.trim() }), ...(effect.url.trim() && { url: effect.url.trim() }) }
          : null;
        if (JSON.stringify(sideEffectFields) !== JSON.stringify(operation.sideEffectFields)) changes.sideEffectFields = sideEffectFields;
        const spendField = spend.field.trim() ? { source: spend.source, field: spend.field.trim(), unit: spend.unit } : null;
        if (JSON.stringify(spendField) !== JSON.stringify(operation.spendField)) changes.spendField = spendField;
        if (Object.keys(changes).length === 0) return "Nothing changed.";
        const result = await consoleApi("PATCH", "/t/[tenant]/tools/[toolId]/operations/[operationId]", { params: { ...params, operationId: operation.id }, body: changes });
        return result.changed ? `Saved ${tool.name} · ${operation.name}. The change is in the audit log.` : "Nothing changed.";
      }
      if (tool.operations.some((o) => o.name === name.trim())) throw new Error(`${tool.name} already has an operation named ${name.trim()}: edit that one instead.`);
      await consoleApi("POST", "/t/[tenant]/tools/[toolId]/operations", { params, body: { name, description, riskClass, reversible, argsSchema: schema.value } });
      return `Added ${tool.name} · ${name.trim()}.`;
    },
    onSuccess: onSaved,
  });

  const errors = fieldErrors(save.error, FIELDS);
  const schemaError = touched && "error" in schema ? schema.error : errors.fields.argsSchema;

  return (
    <form
      noValidate
      className="space-y-4"
      aria-label={operation ? `Edit ${operation.name}` : `Add an operation to ${tool.displayName}`}
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if ("value" in schema) save.mutate();
      }}
    >
      <div className="grid gap-4 md:grid-cols-3">
        <Field label="Operation" error={errors.fields.name} hint={operation ? "The name is fixed; delete and re-add to rename." : "What agents send as “operation”, e.g. refunds.create."}>
          {(id) => (
            <Input id={id} value={name} onChange={(e) => setName(e.target.value)} disabled={Boolean(operation)} autoComplete="off" spellCheck={false} className="font-mono" maxLength={200} aria-invalid={errors.fields.name ? true : undefined} autoFocus={!operation} />
          )}
        </Field>
        <Field label="Risk class" error={errors.fields.riskClass} hint="What the capability report groups it under.">
          {(id) => (
            <Select id={id} value={riskClass} onChange={(e) => setRiskClass(e.target.value as RiskClass)}>
              {RISK_CLASSES.map((r) => (
                <option key={r} value={r}>
                  {r} — {RISK_LABEL[r]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <div className="space-y-1">
          <span className="block text-xs font-medium text-slate-700">Reversible</span>
          <label className="flex h-[34px] items-center gap-2 text-sm text-slate-800">
            <input type="checkbox" checked={reversible} onChange={(e) => setReversible(e.target.checked)} className="h-4 w-4 rounded border-slate-300 text-brand-600 focus:ring-brand-500" />
            Its effect can be undone
          </label>
        </div>
      </div>
      <Field label="Description" error={errors.fields.description}>
        {(id) => <textarea id={id} rows={2} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} className={inputClass} />}
      </Field>
      <div className="space-y-1">
        <div className="flex items-center justify-between">
          <label htmlFor={`${hintId}-schema`} className="block text-xs font-medium text-slate-700">
            Argument schema (JSON Schema)
          </label>
          <Button
            variant="ghost"
            size="sm"
            disabled={!("value" in schema)}
            onClick={() => "value" in schema && setSchemaText(JSON.stringify(schema.value, null, 2))}
          >
            Format
          </Button>
        </div>
        <textarea
          id={`${hintId}-schema`}
          rows={12}
          spellCheck={false}
          value={schemaText}
          onChange={(e) => {
            setSchemaText(e.target.value);
            setTouched(true);
            if (save.isError) save.reset(); // the server's verdict was on the previous text
          }}
          aria-invalid={schemaError ? true : undefined}
          aria-describedby={`${hintId}-hint`}
          className={cx(inputClass, "font-mono text-xs leading-5", schemaError && "ring-red-400 focus:ring-red-500")}
        />
        {schemaError ? (
          <p id={`${hintId}-hint`} className="text-xs text-red-600" role="alert">
            {schemaError}
          </p>
        ) : (
          <p id={`${hintId}-hint`} className="text-xs text-slate-500">
            Arguments an agent proposes are checked against it; a call with invalid arguments is denied. JSON Schema 2020-12 unless it says another “$schema”.
          </p>
        )}
      </div>
      {operation ? (
        <fieldset className="space-y-3 rounded-md border border-slate-200 bg-white p-3">
          <legend className="px-1 text-xs font-medium text-slate-700">Gateway call</legend>
          {tool.upstream?.kind === "mcp" ? (
            <p className="text-xs text-slate-500">
              The tool&apos;s upstream is an MCP server: the gateway calls its tool <span className="font-mono">{operation.name}</span> with the arguments as they are. Side-effect fields are read from its structuredContent.
            </p>
          ) : (
            <p className="text-xs text-slate-500">
              How the gateway calls it at the tool&apos;s upstream: arguments named in the path ({"{charge_id}"}) fill it, the rest go in the query (GET, DELETE) or the JSON body.
            </p>
          )}
          <div className={tool.upstream?.kind === "mcp" ? "hidden" : "grid gap-3 md:grid-cols-[8rem_1fr]"}>
            <Field label="Method" error={errors.fields.http}>
              {(id) => (
                <Select id={id} value={method} onChange={(e) => setMethod(e.target.value)}>
                  <option value="">Not mapped</option>
                  {GATEWAY_METHODS.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Path" hint="e.g. /v1/refunds or /repos/{repo}/pulls">
              {(id) => <Input id={id} value={path} onChange={(e) => setPath(e.target.value)} placeholder="/v1/refunds" autoComplete="off" spellCheck={false} className="font-mono" />}
            </Field>
          </div>
          <div className="grid gap-3 md:grid-cols-3">
            <Field label="Side effect type" error={errors.fields.sideEffectFields} hint="e.g. refund; empty: none recorded.">
              {(id) => <Input id={id} value={effect.object_type} onChange={(e) => setEffect((v) => ({ ...v, object_type: e.target.value }))} autoComplete="off" spellCheck={false} />}
            </Field>
            <Field label="Its id field" hint="Response field, e.g. id">
              {(id) => <Input id={id} value={effect.id} onChange={(e) => setEffect((v) => ({ ...v, id: e.target.value }))} autoComplete="off" spellCheck={false} className="font-mono" />}
            </Field>
            <Field label="Its link field" hint="Response field, e.g. html_url">
              {(id) => <Input id={id} value={effect.url} onChange={(e) => setEffect((v) => ({ ...v, url: e.target.value }))} autoComplete="off" spellCheck={false} className="font-mono" />}
            </Field>
          </div>
          <div className="grid gap-3 md:grid-cols-[10rem_1fr_8rem]">
            <Field label="Spend read from" hint="Settled against spend limits from what the gateway saw, not what the agent reports.">
              {(id) => (
                <Select id={id} value={spend.source} onChange={(e) => setSpend((v) => ({ ...v, source: e.target.value as "args" | "response" }))}>
                  <option value="args">Arguments</option>
                  <option value="response">Upstream answer</option>
                </Select>
              )}
            </Field>
            <Field label="Spend field" error={errors.fields.spendField} hint="e.g. amount_cents or data.amount; empty: the call costs nothing.">
              {(id) => <Input id={id} value={spend.field} onChange={(e) => setSpend((v) => ({ ...v, field: e.target.value }))} autoComplete="off" spellCheck={false} className="font-mono" />}
            </Field>
            <Field label="Unit">
              {(id) => (
                <Select id={id} value={spend.unit} onChange={(e) => setSpend((v) => ({ ...v, unit: e.target.value as "usd" | "cents" }))}>
                  <option value="cents">cents</option>
                  <option value="usd">USD</option>
                </Select>
              )}
            </Field>
          </div>
        </fieldset>
      ) : null}
      <FormError message={errors.message} />
      <div className="flex items-center gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : operation ? "Save operation" : "Add operation"}
        </Button>
        <Button variant="ghost" onClick={onCancel} disabled={save.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
