"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { consoleApi } from "@/components/api";
import { formatUsd } from "@/components/runs/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Card, EmptyState } from "@/components/ui/page";
import { EditDeleteButtons } from "@/components/ui/row-actions";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { METRIC_LABEL, WINDOW_LABEL } from "@/lib/quotas/schemas";
import { LimitDialog, type ToolChoice } from "./limit-dialog";
import { usageKey } from "./queries";
import type { QuotaLimit, Usage, UsageRow } from "./types";

function appliesTo(q: QuotaLimit, agents: Usage["agents"]): string {
  if (q.scope === "tenant") return "All agents together";
  if (q.scope === "group") return `Group ${q.scopeRef}`;
  if (!q.scopeRef) return "Each agent on its own";
  return agents.find((a) => a.id === q.scopeRef)?.name ?? q.scopeRef;
}

const amount = (q: QuotaLimit, v: number) => (q.metric === "spend_usd" ? formatUsd(v) : Math.round(v * 100) / 100).toLocaleString("en-US");

/** Use against the limit; amber from the alert threshold, red at the limit. */
function UsageBar({ q, row }: { q: QuotaLimit; row: UsageRow }) {
  const share = Math.min(1, row.used / q.limit);
  const tone = share >= 1 ? "bg-red-500" : q.alertPercent > 0 && share * 100 >= q.alertPercent ? "bg-amber-500" : "bg-brand-500";
  return (
    <div className="min-w-52">
      <div className="flex items-baseline justify-between gap-2 text-xs">
        <span className="truncate text-slate-700">{row.subject}</span>
        <span className="tabular-nums text-slate-600">
          {amount(q, row.used)} / {amount(q, q.limit)}
        </span>
      </div>
      <div
        className="mt-1 h-1.5 w-full overflow-hidden rounded-full bg-slate-100"
        role="meter"
        aria-label={`${q.name} for ${row.subject}`}
        aria-valuemin={0}
        aria-valuemax={q.limit}
        aria-valuenow={row.used}
      >
        <div className={`h-full ${tone}`} style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

/** Daily spend as bars, quota hits as a count under each day. */
function SpendChart({ days }: { days: Usage["spendByDay"] }) {
  const top = Math.max(1e-9, ...days.map((d) => d.costUsd));
  const total = days.reduce((s, d) => s + d.costUsd, 0);
  const hits = days.reduce((s, d) => s + d.quotaHits, 0);
  return (
    <figure data-testid="spend-chart">
      <figcaption className="mb-2 flex gap-4 text-xs text-slate-600">
        <span>
          30 days: <span className="font-medium tabular-nums text-slate-900">{formatUsd(total)}</span>
        </span>
        <span>
          quota hits: <span className="font-medium tabular-nums text-slate-900">{hits}</span>
        </span>
      </figcaption>
      {total === 0 && hits === 0 ? (
        <p className="flex h-32 items-center justify-center text-sm text-slate-500">No spend or quota hits reported in the last 30 days.</p>
      ) : (
        <>
          <div className="flex h-28 items-end gap-[3px]" role="img" aria-label={`Spend per day over 30 days, ${formatUsd(total)} in total`}>
            {days.map((d) => (
              <div key={d.day} className="group relative flex h-full flex-1 flex-col justify-end" title={`${d.day}: ${formatUsd(d.costUsd)}, ${d.quotaHits} quota hits`}>
                <div className="rounded-t-sm bg-teal-600/80 group-hover:bg-teal-700" style={{ height: `${d.costUsd > 0 ? Math.max(2, (d.costUsd / top) * 100) : 0}%` }} />
                <div className={`mt-0.5 h-1 rounded-sm ${d.quotaHits > 0 ? "bg-rose-600" : "bg-transparent"}`} />
              </div>
            ))}
          </div>
          <div className="mt-1 flex justify-between text-[11px] text-slate-500">
            <span>{days[0]?.day}</span>
            <span>today (UTC)</span>
          </div>
        </>
      )}
    </figure>
  );
}

export function UsageView({ slug, initial, canManage, tools }: { slug: string; initial: Usage; canManage: boolean; tools: ToolChoice[] }) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: usageKey(slug), queryFn: () => consoleApi("GET", "/t/[tenant]/quotas", { params: { tenant: slug } }), initialData: initial, refetchInterval: 10_000 });
  const usage = query.data;
  const [editing, setEditing] = useState<QuotaLimit | null>(null);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<QuotaLimit | null>(null);

  return (
    <div className="space-y-6">
      {!usage.countersAvailable ? (
        <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-inset ring-red-200">
          The quota counters (Redis) are unreachable. Decisions under these limits are denied with <code>quota_unavailable</code> until they are back.
        </div>
      ) : null}

      <Card
        title="Limits"
        actions={
          canManage && usage.limits.length > 0 ? (
            <Button size="sm" onClick={() => setAdding(true)}>
              Add limit
            </Button>
          ) : null
        }
      >
        {usage.limits.length === 0 ? (
          <EmptyState
            title="No limits yet"
            action={canManage ? <Button onClick={() => setAdding(true)}>Add a limit</Button> : null}
          >
            Limits cap what agents can do per run, minute, hour, day or month: tool calls, writes, calls of one operation, model tokens, spend, and
            wall-clock time per run. The decision API reserves against every limit atomically before each call.
          </EmptyState>
        ) : (
          <Table label="Limits">
            <thead>
              <tr>
                <Th>Limit</Th>
                <Th>Applies to</Th>
                <Th>Counts</Th>
                <Th>At the limit</Th>
                <Th>Use now</Th>
                <Th className="whitespace-nowrap text-right">Hits (7 d)</Th>
                {canManage ? <Th className="sr-only">Actions</Th> : null}
              </tr>
            </thead>
            <tbody>
              {usage.limits.map((q) => (
                <tr key={q.id} data-testid="limit-row">
                  <Td>
                    <span className="font-mono text-xs text-slate-900">{q.name}</span>
                  </Td>
                  <Td>{appliesTo(q, usage.agents)}</Td>
                  <Td>
                    {q.metric === "operation_calls" ? `${q.tool} ${q.operation}` : METRIC_LABEL[q.metric]} · {amount(q, q.limit)} {WINDOW_LABEL[q.window]}
                  </Td>
                  <Td className="whitespace-nowrap">{q.onExceed === "approval" ? <Badge tone="amber">Ask a human</Badge> : <Badge tone="red">Deny</Badge>}</Td>
                  <Td>
                    {q.window === "run" ? (
                      <span className="text-xs text-slate-500">counted per run (see each run)</span>
                    ) : q.rows.length === 0 ? (
                      <span className="text-xs text-slate-500">no agents</span>
                    ) : (
                      <div className="space-y-2">
                        {q.rows.map((row) => (
                          <UsageBar key={row.subject} q={q} row={row} />
                        ))}
                        {q.rows[0]?.resetsAt ? (
                          <div className="text-[11px] text-slate-500">
                            resets <Time value={q.rows[0].resetsAt} />
                          </div>
                        ) : null}
                      </div>
                    )}
                  </Td>
                  <Td className="text-right tabular-nums">{usage.hits7d[q.name] ?? 0}</Td>
                  {canManage ? (
                    <Td className="whitespace-nowrap text-right">
                      <EditDeleteButtons name={q.name} onEdit={() => setEditing(q)} onDelete={() => setDeleting(q)} />
                    </Td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Spend over time">
          <SpendChart days={usage.spendByDay} />
        </Card>
        <Card title="Recent quota hits">
          {usage.recentHits.length === 0 ? (
            <p className="text-sm text-slate-600">No call has hit a limit in the last 30 days.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" aria-label="Recent quota hits">
              {usage.recentHits.map((h) => (
                <li key={h.decisionId} className="flex items-baseline justify-between gap-3 py-1.5">
                  <span className="min-w-0 truncate">
                    <span className="font-medium text-slate-900">{h.agent}</span> <span className="font-mono text-xs">{h.action}</span>{" "}
                    <span className="text-xs text-slate-500">{h.quotas.join(", ")}</span>{" "}
                    <Link href={`/t/${slug}/runs/${encodeURIComponent(h.run)}`} className="text-xs text-brand-600 hover:underline">
                      run
                    </Link>
                  </span>
                  <span className="flex shrink-0 items-center gap-2 text-xs">
                    {h.outcome === "deny" ? <Badge tone="red">denied</Badge> : <Badge tone="amber">asked</Badge>}
                    <Time value={h.at} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <LimitDialog
        slug={slug}
        open={adding || editing !== null}
        editing={editing}
        agents={usage.agents}
        tools={tools}
        onClose={() => {
          setAdding(false);
          setEditing(null);
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete limit ${deleting?.name ?? ""}?`}
        confirmLabel="Delete limit"
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await consoleApi("DELETE", "/t/[tenant]/quotas/[quotaId]", { params: { tenant: slug, quotaId: deleting!.id } });
          await queryClient.invalidateQueries({ queryKey: usageKey(slug) });
        }}
      >
        Agents are no longer held to it from the next call. The change is recorded in the audit log.
      </ConfirmDialog>
    </div>
  );
}
