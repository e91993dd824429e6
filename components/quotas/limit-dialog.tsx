"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { consoleApi, type ConsoleBody } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input, Select } from "@/components/ui/field";
import { METRIC_LABEL, QUOTA_METRICS, QUOTA_WINDOWS, WINDOW_LABEL, type QuotaMetric, type QuotaWindow } from "@/lib/quotas/schemas";
import type { QuotaLimit } from "./types";
import { usageKey } from "./queries";

export type ToolChoice = { name: string; operations: string[] };
type Target = "tenant" | "each" | "agent" | "group";

/** The "applies to" choice people make, as the stored scope and reference. */
function targetOf(q: QuotaLimit | null): Target {
  if (!q || q.scope === "tenant") return "tenant";
  if (q.scope === "group") return "group";
  return q.scopeRef ? "agent" : "each";
}

/**
 * Add or edit one limit: a modal on the native <dialog> (focus trap, Escape cancels).
 * Fields that do not apply to the chosen metric are hidden; the server validates again.
 */
export function LimitDialog({
  slug,
  open,
  editing,
  agents,
  tools,
  onClose,
}: {
  slug: string;
  open: boolean;
  editing: QuotaLimit | null;
  agents: { id: string; name: string; labels: string[] }[];
  tools: ToolChoice[];
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const labelsId = useId();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [target, setTarget] = useState<Target>("tenant");
  const [agentId, setAgentId] = useState("");
  const [group, setGroup] = useState("");
  const [metric, setMetric] = useState<QuotaMetric>("writes");
  const [tool, setTool] = useState("");
  const [operation, setOperation] = useState("");
  const [window, setWindow] = useState<QuotaWindow>("day");
  const [limit, setLimit] = useState("100");
  const [onExceed, setOnExceed] = useState<"deny" | "approval">("deny");
  const [alertPercent, setAlertPercent] = useState("80");

  const save = useMutation({
    mutationFn: (body: ConsoleBody<"POST", "/t/[tenant]/quotas">) =>
      editing
        ? consoleApi("PUT", "/t/[tenant]/quotas/[quotaId]", { params: { tenant: slug, quotaId: editing.id }, body })
        : consoleApi("POST", "/t/[tenant]/quotas", { params: { tenant: slug }, body }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: usageKey(slug) });
      onClose();
    },
  });
  const { reset } = save;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      reset();
      setName(editing?.name ?? "");
      setTarget(targetOf(editing));
      setAgentId(editing?.scope === "agent" ? (editing.scopeRef ?? "") : (agents[0]?.id ?? ""));
      setGroup(editing?.scope === "group" ? (editing.scopeRef ?? "") : "");
      setMetric(editing?.metric ?? "writes");
      setTool(editing?.tool ?? tools[0]?.name ?? "");
      setOperation(editing?.operation ?? tools[0]?.operations[0] ?? "");
      setWindow(editing?.window ?? "day");
      setLimit(String(editing?.limit ?? 100));
      setOnExceed(editing?.onExceed ?? "deny");
      setAlertPercent(String(editing?.alertPercent ?? 80));
      dialog.showModal();
    } else if (!open && dialog.open) dialog.close();
  }, [open, editing, agents, tools, reset]);

  const operations = tools.find((t) => t.name === tool)?.operations ?? [];
  const labels = [...new Set(agents.flatMap((a) => a.labels))].sort();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    save.mutate({
      ...(name.trim() && { name: name.trim() }),
      scope: target === "tenant" ? "tenant" : target === "group" ? "group" : "agent",
      scopeRef: target === "agent" ? agentId : target === "group" ? group.trim() : null,
      metric,
      ...(metric === "operation_calls" && { tool, operation }),
      window: metric === "run_seconds" ? "run" : window,
      limit: Number(limit),
      onExceed: metric === "run_seconds" ? "deny" : onExceed,
      alertPercent: Number(alertPercent),
    });
  }

  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="m-auto w-full max-w-lg rounded-lg bg-white p-0 shadow-xl backdrop:bg-slate-900/40">
      <form onSubmit={submit} className="space-y-4 p-5">
        <h2 id={titleId} className="text-base font-semibold text-slate-900">
          {editing ? `Edit limit ${editing.name}` : "Add a limit"}
        </h2>
        <FormError message={save.error?.message} />
        <div className="grid grid-cols-2 gap-3">
          <Field label="Applies to">
            {(id) => (
              <Select id={id} value={target} onChange={(e) => setTarget(e.target.value as Target)}>
                <option value="tenant">All agents together</option>
                <option value="each">Each agent on its own</option>
                <option value="agent">One agent</option>
                <option value="group">An agent group</option>
              </Select>
            )}
          </Field>
          {target === "agent" ? (
            <Field label="Agent">
              {(id) => (
                <Select id={id} value={agentId} onChange={(e) => setAgentId(e.target.value)} required>
                  {agents.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          ) : target === "group" ? (
            <Field label="Group (agent label)" hint="One counter shared by the group.">
              {(id) => (
                <>
                  <Input id={id} value={group} onChange={(e) => setGroup(e.target.value)} list={labelsId} required placeholder="payments" />
                  <datalist id={labelsId}>
                    {labels.map((l) => (
                      <option key={l} value={l} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
          ) : (
            <div />
          )}
          <Field label="Counts">
            {(id) => (
              <Select id={id} value={metric} onChange={(e) => setMetric(e.target.value as QuotaMetric)}>
                {QUOTA_METRICS.map((m) => (
                  <option key={m} value={m}>
                    {METRIC_LABEL[m]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Window" hint={metric === "run_seconds" ? "Wall-clock time is per run." : "Calendar periods in UTC."}>
            {(id) => (
              <Select id={id} value={metric === "run_seconds" ? "run" : window} disabled={metric === "run_seconds"} onChange={(e) => setWindow(e.target.value as QuotaWindow)}>
                {QUOTA_WINDOWS.map((w) => (
                  <option key={w} value={w}>
                    {WINDOW_LABEL[w]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {metric === "operation_calls" ? (
            <>
              <Field label="Tool">
                {(id) => (
                  <Select
                    id={id}
                    value={tool}
                    onChange={(e) => {
                      setTool(e.target.value);
                      setOperation(tools.find((t) => t.name === e.target.value)?.operations[0] ?? "");
                    }}
                  >
                    {tools.map((t) => (
                      <option key={t.name} value={t.name}>
                        {t.name}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
              <Field label="Operation">
                {(id) => (
                  <Select id={id} value={operation} onChange={(e) => setOperation(e.target.value)}>
                    {operations.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
            </>
          ) : null}
          <Field label={metric === "spend_usd" ? "Limit (USD)" : metric === "run_seconds" ? "Limit (seconds)" : "Limit"}>
            {(id) => <Input id={id} type="number" min="0" step="any" value={limit} onChange={(e) => setLimit(e.target.value)} required />}
          </Field>
          <Field label="At the limit">
            {(id) => (
              <Select id={id} value={metric === "run_seconds" ? "deny" : onExceed} disabled={metric === "run_seconds"} onChange={(e) => setOnExceed(e.target.value as "deny" | "approval")}>
                <option value="deny">Deny (quota_exceeded)</option>
                <option value="approval">Pause and ask a human</option>
              </Select>
            )}
          </Field>
          <Field label="Alert at (% of limit)" hint="Sent once per window to the tenant webhook; 0 = never.">
            {(id) => <Input id={id} type="number" min="0" max="100" value={alertPercent} onChange={(e) => setAlertPercent(e.target.value)} />}
          </Field>
          <Field label="Name (optional)" hint="What agents see in the decision answer.">
            {(id) => <Input id={id} value={name} onChange={(e) => setName(e.target.value)} placeholder="writes_per_day" />}
          </Field>
        </div>
        <div className="flex justify-end gap-2 pt-1">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : editing ? "Save limit" : "Add limit"}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
