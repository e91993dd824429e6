"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, consoleApi } from "@/components/api";
import { fieldErrors } from "@/components/agents/format";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input, inputClass } from "@/components/ui/field";
import type { Tool } from "./types";

const FIELDS = ["name", "displayName", "description"] as const;

/** Registers a tool (POST) or edits its display name and description (PATCH; the name is fixed). */
export function ToolForm({
  slug,
  tool,
  onSaved,
  onCancel,
}: {
  slug: string;
  tool?: Tool;
  onSaved: (message: string) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState({ name: tool?.name ?? "", displayName: tool?.displayName ?? "", description: tool?.description ?? "" });
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));

  const save = useMutation({
    mutationFn: async () => {
      if (tool) {
        const changes = Object.fromEntries(
          (["displayName", "description"] as const).filter((k) => values[k].trim() !== tool[k]).map((k) => [k, values[k]]),
        );
        if (Object.keys(changes).length === 0) return "Nothing changed.";
        await consoleApi("PATCH", "/t/[tenant]/tools/[toolId]", { params: { tenant: slug, toolId: tool.id }, body: changes });
        return `Saved ${values.displayName.trim()}. The change is in the audit log.`;
      }
      await consoleApi("POST", "/t/[tenant]/tools", { params: { tenant: slug }, body: values });
      return `Registered ${values.displayName.trim()}. Add its operations, or import them from an MCP tool list or an OpenAPI document.`;
    },
    onSuccess: onSaved,
  });

  const errors = fieldErrors(save.error, FIELDS);
  if (save.error instanceof ApiError && save.error.code === "conflict" && !tool) {
    errors.fields.name = save.error.message;
    errors.message = null;
  }

  return (
    <form
      noValidate
      className="space-y-4"
      aria-label={tool ? `Edit ${tool.displayName}` : "Add a tool"}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Name" error={errors.fields.name} hint={tool ? "The name is fixed: allowlists and kill switches use it." : "What agents send as “tool”, e.g. github. Cannot be changed later."}>
          {(id) => (
            <Input id={id} value={values.name} onChange={set("name")} disabled={Boolean(tool)} autoComplete="off" spellCheck={false} className="font-mono" aria-invalid={errors.fields.name ? true : undefined} autoFocus={!tool} />
          )}
        </Field>
        <Field label="Display name" error={errors.fields.displayName} hint="Shown in the console, e.g. GitHub.">
          {(id) => <Input id={id} value={values.displayName} onChange={set("displayName")} maxLength={100} autoComplete="off" aria-invalid={errors.fields.displayName ? true : undefined} />}
        </Field>
      </div>
      <Field label="Description" error={errors.fields.description}>
        {(id) => <textarea id={id} rows={2} maxLength={2000} value={values.description} onChange={set("description")} className={inputClass} aria-invalid={errors.fields.description ? true : undefined} />}
      </Field>
      <FormError message={errors.message} />
      <div className="flex items-center gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : tool ? "Save tool" : "Add tool"}
        </Button>
        <Button variant="ghost" onClick={onCancel} disabled={save.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
