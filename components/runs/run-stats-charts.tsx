"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { consoleApi } from "@/components/api";
import { Select } from "@/components/ui/field";
import { formatUsd } from "./format";

type Series = { label: string; color: string; values: (number | null)[] };

const W = 320;
const H = 96;
const PAD = { left: 4, right: 4, top: 8, bottom: 4 };

/** A small line chart: gaps where there is no data, the last value as a label. */
function Chart({ title, series, format, max }: { title: string; series: Series[]; format: (v: number) => string; max?: number }) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = max ?? Math.max(1e-9, ...all);
  const n = series[0]?.values.length ?? 0;
  const x = (i: number) => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - Math.min(v, top) / top) * (H - PAD.top - PAD.bottom);
  const lastOf = (s: Series) => [...s.values].reverse().find((v) => v !== null) ?? null;
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm" data-testid="stats-chart">
      <figcaption className="mb-1 flex items-baseline justify-between gap-2">
        <span className="text-xs font-medium uppercase tracking-wide text-slate-500">{title}</span>
        <span className="flex gap-2 text-xs tabular-nums">
          {series.map((s) => {
            const last = lastOf(s);
            return (
              <span key={s.label} style={{ color: s.color }}>
                {series.length > 1 ? `${s.label} ` : ""}
                {last === null ? "—" : format(last)}
              </span>
            );
          })}
        </span>
      </figcaption>
      {all.length === 0 ? (
        <div className="flex h-24 items-center justify-center text-xs text-slate-400">no data in this period</div>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} className="h-24 w-full" role="img" aria-label={`${title} over time`}>
          <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="stroke-slate-200" />
          {series.map((s) => {
            let d = "";
            s.values.forEach((v, i) => {
              if (v === null) return;
              d += `${d && s.values[i - 1] !== null ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
            });
            return (
              <g key={s.label}>
                <path d={d} fill="none" stroke={s.color} strokeWidth={1.8} strokeLinejoin="round" />
                {s.values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r={1.6} fill={s.color} />))}
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}

const pct = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;
const ms = (v: number) => (v > 10_000 ? "> 10 s" : v >= 1000 ? `≤ ${v / 1000} s` : `≤ ${v} ms`);
const int = (v: number) => v.toLocaleString("en-US");

/** Overview charts per tenant or per agent: completion, failures, retries, latency, escalations, quota hits, cost. */
export function RunStatsCharts({ slug, agents }: { slug: string; agents: { id: string; name: string }[] }) {
  const [agent, setAgent] = useState("");
  const [days, setDays] = useState(7);
  const query = useQuery({
    queryKey: ["run-stats", slug, agent, days],
    queryFn: () => consoleApi("GET", "/t/[tenant]/runs/stats", { params: { tenant: slug }, query: { days, agent: agent || undefined } }),
    refetchInterval: 30_000,
  });
  const p = query.data?.points ?? [];
  const col = (k: "completionRate" | "toolFailureRate" | "toolLatencyP50" | "toolLatencyP95" | "costPerSuccessfulRun") => p.map((x) => x[k]);
  const counts = (k: "retries" | "escalations" | "quotaHits") => p.map((x) => (x.runsStarted || x.toolCalls || x[k] ? x[k] : null));
  return (
    <section aria-label="Run statistics" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-semibold text-slate-900">Runs over time</h2>
        <div className="flex gap-2">
          <Select aria-label="Agent for the charts" value={agent} onChange={(e) => setAgent(e.target.value)} className="w-48">
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </Select>
          <Select aria-label="Period" value={String(days)} onChange={(e) => setDays(Number(e.target.value))} className="w-36">
            <option value="1">24 hours</option>
            <option value="7">7 days</option>
            <option value="30">30 days</option>
          </Select>
        </div>
      </div>
      {query.isError ? <p className="text-sm text-red-700">{query.error.message}</p> : null}
      <div className="grid gap-3 md:grid-cols-2 lg:grid-cols-3">
        <Chart title="Completion rate" series={[{ label: "completed", color: "#059669", values: col("completionRate") }]} format={pct} max={1} />
        <Chart title="Tool-call failure rate" series={[{ label: "failed", color: "#dc2626", values: col("toolFailureRate") }]} format={pct} />
        <Chart title="Retries" series={[{ label: "retries", color: "#7c3aed", values: counts("retries") }]} format={int} />
        <Chart
          title="Tool latency"
          series={[
            { label: "p50", color: "#2563eb", values: col("toolLatencyP50") },
            { label: "p95", color: "#f59e0b", values: col("toolLatencyP95") },
          ]}
          format={ms}
        />
        <Chart
          title="Escalations and quota hits"
          series={[
            { label: "escalations", color: "#d97706", values: counts("escalations") },
            { label: "quota hits", color: "#be123c", values: counts("quotaHits") },
          ]}
          format={int}
        />
        <Chart title="Cost per successful run" series={[{ label: "cost", color: "#0f766e", values: col("costPerSuccessfulRun") }]} format={formatUsd} />
      </div>
      <p className="text-xs text-slate-500">
        Per {query.data?.unit ?? "day"}, from hourly figures the ingest worker keeps as events arrive. Latency is the upper bound of the histogram bucket
        holding the percentile; a retry is a call reported with <code>attempt</code> &gt; 1; an escalation is a decision that asked for approval.
      </p>
    </section>
  );
}
