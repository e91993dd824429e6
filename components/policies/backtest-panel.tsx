"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useState } from "react";
import { consoleApi } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input } from "@/components/ui/field";
import { Icons } from "@/components/ui/icons";
import { EmptyState, Stat } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { OutcomeBadge, TransitionBadge } from "./badges";
import { changesSummary } from "./changes-list";
import { plural } from "./describe";
import type { BacktestChange, BacktestResult, PolicyState, Reason } from "./types";
import { usePolicyState } from "./queries";

/**
 * Replays the proposed actions recorded in the last N days against the saved draft and
 * the published policy, and shows what would change, per agent and operation, with
 * examples: before publishing, not after.
 */
export function BacktestPanel({ slug, initialPolicy, now }: { slug: string; initialPolicy: PolicyState; now: number }) {
  const policy = usePolicyState(slug, initialPolicy, now);
  const [days, setDays] = useState("30");
  const [dayError, setDayError] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: (n: number) => consoleApi("POST", "/t/[tenant]/policy/backtest", { params: { tenant: slug }, body: { days: n } }),
  });
  const result = run.data;
  const publishedVersion = policy.published?.version ?? null;

  return (
    <div className="space-y-5">
      <form
        aria-label="Run a backtest"
        className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(days.trim());
          if (!Number.isInteger(n) || n < 1 || n > 90) {
            setDayError("Between 1 and 90 days.");
            return;
          }
          setDayError(null);
          run.mutate(n);
        }}
      >
        <div className="w-32">
          <Field label="Days of history" error={dayError ?? undefined}>
            {(id) => <Input id={id} value={days} onChange={(e) => setDays(e.target.value)} inputMode="numeric" className="tabular-nums" aria-invalid={dayError ? true : undefined} />}
          </Field>
        </div>
        <Button type="submit" disabled={run.isPending}>
          {run.isPending ? "Running…" : "Run backtest"}
        </Button>
        <p className="min-w-0 flex-1 text-xs text-slate-500">
          The saved draft ({policy.changes.length ? changesSummary(policy.changes).toLowerCase() : "no changes"}
          {policy.draftUpdatedAt ? (
            <>
              , saved <Time value={policy.draftUpdatedAt} />
            </>
          ) : null}
          ) against {publishedVersion ? `published version ${publishedVersion}` : "default deny (nothing published)"}, for every action agents proposed in that window. Kill
          switches are left out on both sides, so only the policy change shows.
        </p>
      </form>

      <FormError message={run.error ? `The backtest failed: ${run.error.message}` : null} />

      {!result ? (
        run.isPending ? null : (
          <p className="text-sm text-slate-500">
            {policy.changes.length
              ? "Run the backtest to see which recorded actions the draft would decide differently."
              : `The draft matches ${publishedVersion ? `version ${publishedVersion}` : "what is published"}: a backtest would show no change. `}
            {policy.changes.length ? null : (
              <Link href={`/t/${slug}/policies`} className="font-medium text-brand-700 hover:underline">
                Edit the allowlist
              </Link>
            )}
          </p>
        )
      ) : (
        <BacktestResults result={result} />
      )}
    </div>
  );
}

function BacktestResults({ result }: { result: BacktestResult }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const keyOf = (c: BacktestChange) => `${c.agentId}|${c.tool}|${c.operation}|${c.transition}`;
  const toggle = (key: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <section aria-labelledby="backtest-results" className="space-y-4" data-testid="backtest-results">
      <h2 id="backtest-results" className="text-sm font-semibold text-slate-900">
        Last {plural(result.days, "day")}: {plural(result.evaluated, "recorded action")} replayed
        {result.skipped ? <span className="font-normal text-slate-500"> · {result.skipped} skipped (recorded without arguments, or their agent is gone)</span> : null}
      </h2>
      {result.truncated ? (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-inset ring-amber-200">Only the most recent 20,000 decisions were replayed; shorten the window to cover it all.</p>
      ) : null}

      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <Stat label="Would change" value={result.changed} hint={result.evaluated ? `of ${result.evaluated} replayed` : undefined} />
        <Stat label="Denied → allowed" value={result.totals.deniedToAllowed} hint="newly possible" />
        <Stat label="Allowed → denied" value={result.totals.allowedToDenied} hint="would break" />
        <Stat label="Newly need approval" value={result.totals.newlyNeedingApproval} />
        <Stat label="No longer need approval" value={result.totals.noLongerNeedingApproval} />
      </div>

      {result.evaluated === 0 ? (
        <EmptyState icon={<Icons.runs className="h-8 w-8" />} title={`No recorded decisions in the last ${plural(result.days, "day")}`}>
          Nothing to replay yet: agents have not asked Gatehouse about any action in this window{result.skipped ? " (or only ones recorded without their arguments)" : ""}. Widen the window, or
          backtest again once agents are running.
        </EmptyState>
      ) : result.changes.length === 0 ? (
        <EmptyState icon={<Icons.check className="h-8 w-8" />} title="Nothing would change">
          The draft decides all {plural(result.evaluated, "recorded action")} exactly as the published policy does.
        </EmptyState>
      ) : (
        <Table label="Backtest changes">
          <thead>
            <tr>
              <Th>Agent</Th>
              <Th>Operation</Th>
              <Th>Change</Th>
              <Th className="text-right">Count</Th>
              <Th>
                <span className="sr-only">Examples</span>
              </Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {result.changes.map((c) => {
              const key = keyOf(c);
              const expanded = open.has(key);
              const panelId = `examples-${key.replace(/[^\w-]/g, "_")}`;
              return (
                <Fragment key={key}>
                  <tr data-testid="backtest-change">
                    <Td className="font-mono text-xs text-slate-900">{c.agentName}</Td>
                    <Td className="font-mono text-xs">
                      {c.tool} · {c.operation}
                    </Td>
                    <Td>
                      <TransitionBadge transition={c.transition} />
                    </Td>
                    <Td className="text-right tabular-nums font-medium text-slate-900">{c.count}</Td>
                    <Td className="text-right">
                      <Button variant="ghost" size="sm" aria-expanded={expanded} aria-controls={panelId} onClick={() => toggle(key)}>
                        <Icons.chevron className={expanded ? "h-3.5 w-3.5 rotate-180" : "h-3.5 w-3.5"} />
                        {expanded ? "Hide examples" : `${plural(c.examples.length, "example")}`}
                      </Button>
                    </Td>
                  </tr>
                  {expanded ? (
                    <tr>
                      <td colSpan={5} id={panelId} className="bg-slate-50 px-3 py-2">
                        <ul className="space-y-2" aria-label={`Examples: ${c.agentName} ${c.operation}`}>
                          {c.examples.map((ex) => (
                            <li key={ex.decisionId} className="rounded-md bg-white p-2.5 text-xs ring-1 ring-slate-200" data-testid="backtest-example">
                              <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-slate-500">
                                <Time value={ex.at} />
                                <span>
                                  run <span className="font-mono text-slate-700">{ex.runId}</span>
                                </span>
                                <span>
                                  decision <span className="font-mono text-slate-700">{ex.decisionId}</span>
                                </span>
                                <span className="flex items-center gap-1">
                                  recorded as <OutcomeBadge outcome={ex.recorded} />
                                </span>
                                {ex.resource ? (
                                  <span>
                                    resource <span className="font-mono text-slate-700">{ex.resource.type}:{ex.resource.id}</span>
                                  </span>
                                ) : null}
                              </div>
                              <div className="mt-2 grid gap-3 md:grid-cols-3">
                                <div>
                                  <div className="mb-0.5 font-medium text-slate-700">Arguments</div>
                                  <pre className="max-h-40 overflow-auto rounded bg-slate-50 p-1.5 font-mono text-[11px] text-slate-800 ring-1 ring-slate-200">{JSON.stringify(ex.args, null, 2)}</pre>
                                </div>
                                <Reasons title="Published policy" reasons={ex.before} />
                                <Reasons title="Draft" reasons={ex.after} />
                              </div>
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </Table>
      )}
    </section>
  );
}

function Reasons({ title, reasons }: { title: string; reasons: Reason[] }) {
  return (
    <div>
      <div className="mb-0.5 font-medium text-slate-700">{title}</div>
      <ul className="space-y-0.5">
        {reasons.map((r, i) => (
          <li key={i}>
            <span className="font-mono text-[11px] text-slate-500">{r.code}</span> <span className="text-slate-800">{r.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
