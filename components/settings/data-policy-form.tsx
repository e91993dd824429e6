"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { consoleApi, type ConsoleAnswer } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input } from "@/components/ui/field";

type Policy = ConsoleAnswer<"GET", "/t/[tenant]/settings/data-policy">;

/** Settings → Run data: retention (enforced hourly by the worker) and extra redaction paths. */
export function DataPolicyForm({ slug, initial, canEdit }: { slug: string; initial: Policy; canEdit: boolean }) {
  const [payloadDays, setPayloadDays] = useState(String(initial.retention.payloadDays));
  const [metadataDays, setMetadataDays] = useState(String(initial.retention.metadataDays));
  const [paths, setPaths] = useState(initial.redaction.paths.join("\n"));
  const save = useMutation({
    mutationFn: () =>
      consoleApi("PUT", "/t/[tenant]/settings/data-policy", {
        params: { tenant: slug },
        body: {
          retention: { payloadDays: Number(payloadDays), metadataDays: Number(metadataDays) },
          redaction: { paths: paths.split("\n").map((p) => p.trim()).filter(Boolean) },
        },
      }),
  });
  return (
    <form
      className="space-y-4"
      aria-label="Run data policy"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="grid grid-cols-2 gap-3">
        <Field label="Keep payloads (days)" hint="Then args, outputs and inputs are emptied; hashes, times, tokens and cost stay.">
          {(id) => <Input id={id} type="number" min={1} max={3650} value={payloadDays} onChange={(e) => setPayloadDays(e.target.value)} disabled={!canEdit} required />}
        </Field>
        <Field label="Keep metadata (days)" hint="Then the events and their runs are deleted.">
          {(id) => <Input id={id} type="number" min={1} max={3650} value={metadataDays} onChange={(e) => setMetadataDays(e.target.value)} disabled={!canEdit} required />}
        </Field>
      </div>
      <Field label="Also redact these JSON paths" hint="One per line, from the event root: args.card.number, output.customers[*].email. Secrets (API keys, bearer tokens, passwords…) are always redacted.">
        {(id) => (
          <textarea
            id={id}
            rows={4}
            value={paths}
            onChange={(e) => setPaths(e.target.value)}
            disabled={!canEdit}
            className="block w-full rounded-md border-0 bg-white px-2.5 py-1.5 font-mono text-xs text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-500 focus:outline-none disabled:bg-slate-50"
          />
        )}
      </Field>
      <FormError message={save.error?.message} />
      {canEdit ? (
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save run data policy"}
          </Button>
          {save.isSuccess ? <span className="text-xs text-emerald-700" role="status">Saved. The change is in the audit log and applies to new events and decisions at once.</span> : null}
        </div>
      ) : (
        <p className="text-xs text-slate-500">Only owners and admins can change the run data policy.</p>
      )}
    </form>
  );
}
