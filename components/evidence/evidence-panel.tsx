"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { consoleApi, consoleUrl } from "@/components/api";
import { Badge, type Tone } from "@/components/ui/badge";
import { Button, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field, FormError, Input, Select } from "@/components/ui/field";
import { Icons } from "@/components/ui/icons";
import { Card, EmptyState } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { ExportView } from "@/lib/evidence/schemas";


const STATUS_TONE: Record<ExportView["status"], Tone> = { queued: "neutral", running: "brand", succeeded: "green", failed: "red", cancelled: "amber" };
const active = (e: ExportView) => e.status === "queued" || e.status === "running";

/** datetime-local value (local time, minutes) for a Date. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function formatBytes(n: number | null): string {
  if (n === null) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function EvidencePanel({ slug, agents, initial, keyId }: { slug: string; agents: { id: string; name: string }[]; initial: ExportView[]; keyId: string }) {
  const queryClient = useQueryClient();
  const key = ["evidence-exports", slug];
  const exports = useQuery({
    queryKey: key,
    queryFn: () => consoleApi("GET", "/t/[tenant]/evidence/exports", { params: { tenant: slug } }).then((r) => r.exports),
    initialData: initial,
    // Live progress while something is queued or running; quiet otherwise.
    refetchInterval: (q) => ((q.state.data ?? []).some(active) ? 1000 : false),
  });
  const [cancelling, setCancelling] = useState<ExportView | null>(null);
  const rows = exports.data ?? [];

  return (
    <div className="space-y-6">
      <ExportForm slug={slug} agents={agents} onCreated={() => queryClient.invalidateQueries({ queryKey: key })} />

      <section aria-labelledby="exports-heading" className="space-y-2">
        <div className="flex items-center justify-between">
          <h2 id="exports-heading" className="text-sm font-semibold text-slate-900">
            Exports
          </h2>
          {exports.isError ? <span className="text-xs text-red-700">Could not refresh: {exports.error.message}</span> : null}
        </div>
        {rows.length === 0 ? (
          <EmptyState icon={<Icons.evidence className="h-8 w-8" />} title="No exports yet">
            Choose a period above and request an export. The worker builds a signed bundle in the background; this list shows its progress,
            and you can download it when it is done.
          </EmptyState>
        ) : (
          <Table label="Exports">
            <thead>
              <tr>
                <Th>Requested</Th>
                <Th>By</Th>
                <Th>Scope</Th>
                <Th>Status</Th>
                <Th className="text-right">Rows</Th>
                <Th>Bundle</Th>
                <Th className="w-40" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((e) => (
                <tr key={e.id} data-testid="export-row" data-export-id={e.id} className="align-top">
                  <Td>
                    <Time value={e.createdAt} />
                  </Td>
                  <Td className="max-w-[12rem] truncate" >
                    <span title={e.requestedBy.email}>{e.requestedBy.email}</span>
                  </Td>
                  <Td className="text-xs">
                    <div>
                      <Time value={e.scope.from} /> → <Time value={e.scope.to} />
                    </div>
                    <div className="text-slate-500">
                      {e.agents.length ? `Agents: ${e.agents.map((a) => a.name).join(", ")}` : "All agents"}
                      {" · "}
                      {e.scope.runIds.length ? `Runs: ${e.scope.runIds.join(", ")}` : "all runs"}
                      {" · "}
                      {e.format.toUpperCase()}
                    </div>
                  </Td>
                  <Td className="min-w-[11rem]">
                    <Badge tone={STATUS_TONE[e.status]}>
                      <span data-testid="export-status">{e.status === "running" && e.cancelRequested ? "cancelling" : e.status}</span>
                    </Badge>
                    {active(e) ? <ProgressBar value={e.status === "queued" ? 0 : e.progress} label={`Export ${e.id} progress`} /> : null}
                    {e.error ? <p className="mt-1 text-xs text-red-700">{e.error}</p> : null}
                  </Td>
                  <Td className="text-right tabular-nums">
                    <span title={e.counts ? Object.entries(e.counts).map(([k, v]) => `${k}: ${v}`).join("\n") : undefined}>{e.rowCount.toLocaleString("en-US")}</span>
                    {e.counts ? (
                      <div className="text-[11px] text-slate-500">
                        {e.counts.events ?? 0} events · {e.counts.decisions ?? 0} decisions · {e.counts.audit_entries ?? 0} audit
                      </div>
                    ) : null}
                  </Td>
                  <Td className="text-xs">
                    {e.sha256 ? (
                      <>
                        <div className="font-mono text-slate-700" title={e.sha256} data-testid="export-sha256">
                          sha256 {e.sha256.slice(0, 16)}…
                        </div>
                        <div className="text-slate-500">{formatBytes(e.bytes)} · key {e.keyId}</div>
                      </>
                    ) : (
                      <span className="text-slate-400">—</span>
                    )}
                  </Td>
                  <Td className="text-right">
                    {e.status === "succeeded" ? (
                      <a className={buttonClass("secondary", "sm")} href={consoleUrl("/t/[tenant]/evidence/exports/[exportId]/download", { tenant: slug, exportId: e.id })} download>
                        Download
                      </a>
                    ) : null}
                    {active(e) && !e.cancelRequested ? (
                      <Button variant="ghost" size="sm" onClick={() => setCancelling(e)}>
                        Cancel
                      </Button>
                    ) : null}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>

      <VerifyHelp keyId={keyId} />

      <ConfirmDialog
        open={cancelling !== null}
        title="Cancel this export?"
        confirmLabel="Cancel export"
        onClose={() => setCancelling(null)}
        onConfirm={async () => {
          await consoleApi("POST", "/t/[tenant]/evidence/exports/[exportId]/cancel", { params: { tenant: slug, exportId: cancelling!.id } });
          await queryClient.invalidateQueries({ queryKey: key });
        }}
      >
        The worker stops within a second and deletes what it wrote so far. The request and the cancellation stay in the audit log.
      </ConfirmDialog>
    </div>
  );
}

function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="mt-1.5 flex items-center gap-2">
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="h-1.5 w-28 overflow-hidden rounded-full bg-slate-200">
        <div className="h-full rounded-full bg-brand-600 transition-[width] duration-500" style={{ width: `${pct}%` }} />
      </div>
      <span className="text-[11px] tabular-nums text-slate-500">{pct}%</span>
    </div>
  );
}

function ExportForm({ slug, agents, onCreated }: { slug: string; agents: { id: string; name: string }[]; onCreated: () => void }) {
  const [now] = useState(() => new Date());
  const [from, setFrom] = useState(() => localInput(new Date(now.getTime() - 24 * 3600_000)));
  const [to, setTo] = useState(() => localInput(new Date(now.getTime() + 60_000)));
  const [agentIds, setAgentIds] = useState<string[]>([]);
  const [runs, setRuns] = useState("");
  const [format, setFormat] = useState<"jsonl" | "csv">("jsonl");
  const create = useMutation({
    mutationFn: () => {
      if (!from || !to) throw new Error("Choose when the period starts and ends.");
      const fromDate = new Date(from);
      const toDate = new Date(to);
      if (!(fromDate < toDate)) throw new Error("The period must end after it starts.");
      return consoleApi("POST", "/t/[tenant]/evidence/exports", {
        params: { tenant: slug },
        body: {
          from: fromDate.toISOString(),
          to: toDate.toISOString(),
          agentIds,
          runIds: runs.split(/[\s,]+/).map((r) => r.trim()).filter(Boolean),
          format,
        },
      });
    },
    onSuccess: onCreated,
  });

  return (
    <Card title="New export">
      <form
        aria-label="New export"
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <div className="grid gap-4 md:grid-cols-2 lg:grid-cols-4">
          <Field label="From" hint="Your local time">
            {(id) => <Input id={id} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />}
          </Field>
          <Field label="To" hint="Exclusive">
            {(id) => <Input id={id} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required />}
          </Field>
          <Field label="Runs" hint="Run ids, comma-separated; empty for all runs">
            {(id) => <Input id={id} value={runs} placeholder="run_2026_05_02_9f31, …" onChange={(e) => setRuns(e.target.value)} />}
          </Field>
          <Field label="Format" hint="The bundle is a signed tar.gz either way">
            {(id) => (
              <Select id={id} value={format} onChange={(e) => setFormat(e.target.value as "jsonl" | "csv")}>
                <option value="jsonl">JSON Lines</option>
                <option value="csv">CSV</option>
              </Select>
            )}
          </Field>
        </div>
        <fieldset>
          <legend className="text-xs font-medium text-slate-700">Agents</legend>
          {agents.length === 0 ? (
            <p className="mt-1 text-xs text-slate-500">No agents yet: the export holds the tenant&apos;s audit log and policies.</p>
          ) : (
            <div className="mt-1.5 flex flex-wrap gap-x-4 gap-y-1.5">
              <label className="flex items-center gap-1.5 text-sm text-slate-700">
                <input type="checkbox" checked={agentIds.length === 0} onChange={() => setAgentIds([])} />
                All agents
              </label>
              {agents.map((a) => (
                <label key={a.id} className="flex items-center gap-1.5 text-sm text-slate-700">
                  <input
                    type="checkbox"
                    checked={agentIds.includes(a.id)}
                    onChange={(e) => setAgentIds((ids) => (e.target.checked ? [...ids, a.id] : ids.filter((x) => x !== a.id)))}
                  />
                  {a.name}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <FormError message={create.error?.message} />
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? "Requesting…" : "Request export"}
          </Button>
          <p className="text-xs text-slate-500">Every export is recorded in the audit log, with who asked for what.</p>
        </div>
      </form>
    </Card>
  );
}

function VerifyHelp({ keyId }: { keyId: string }) {
  return (
    <Card title="Verify a bundle offline">
      <div className="space-y-2 text-sm text-slate-700">
        <p>
          The verifier is one Node.js script with no dependencies (<code className="font-mono text-xs">scripts/verify-evidence.mjs</code>). It checks the
          Ed25519 signature, every file&apos;s SHA-256 and row count, that the events and decisions reproduce the hourly signed digests, and the audit
          log&apos;s hash chain, and names the first inconsistency it finds.
        </p>
        <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
          {"curl -s https://<this Gatehouse>/api/v1/evidence/public-key > gatehouse-key.json\nnode verify-evidence.mjs bundle.tar.gz --public-key gatehouse-key.json"}
        </pre>
        <p className="text-xs text-slate-500">
          This instance signs with key <span className="font-mono">{keyId}</span>. Get the public key from a channel you trust, not from the bundle.
        </p>
      </div>
    </Card>
  );
}
