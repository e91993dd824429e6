"use client";

import { useQueries, useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { consoleApi } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Card, Stat } from "@/components/ui/page";
import { Time } from "@/components/ui/time";
import { AttestedMark, SourceMark, TypeBadge, causalLink, eventSummary, isAttestedCall } from "./event-line";
import { formatCount, formatElapsed, formatUsd } from "./format";
import { PayloadViewer } from "./payload-viewer";
import { OutcomeBadge } from "./runs-list";
import type { ReplayState, RunSummary, TimelineEvent, TimelinePage } from "./types";

const ROW = 36; // px, every row the same height: the list is virtualized by arithmetic
const PAGE = 200; // events per fetch
const OVERSCAN = 15;
const VIEWPORT = 560;

/**
 * The run page: header figures (maintained by the ingest worker), the timeline as a
 * virtualized list that fetches 200-event pages by position as they scroll into view
 * (a 100,000-event run costs the same as a small one), a payload viewer, and replay:
 * step or scrub through the run while the side panel shows the state at that point.
 */
export function RunView({ slug, initial }: { slug: string; initial: RunSummary }) {
  const params = { tenant: slug, runId: initial.id };
  const summaryQuery = useQuery({
    queryKey: ["run", slug, initial.id],
    queryFn: () => consoleApi("GET", "/t/[tenant]/runs/[runId]", { params }),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.status === "running" ? 2_000 : false),
  });
  const run = summaryQuery.data;
  const total = run.totals.events;

  const [selected, setSelected] = useState<number | null>(null);
  const [replay, setReplay] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [follow, setFollow] = useState(run.status === "running");
  const [scrollTop, setScrollTop] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);

  // Which pages the viewport (and the selected event) needs.
  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(total - 1, Math.ceil((scrollTop + VIEWPORT) / ROW) + OVERSCAN);
  const pages = useMemo(() => {
    const set = new Set<number>();
    for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last) / PAGE); p++) set.add(p);
    if (selected !== null) set.add(Math.floor(selected / PAGE));
    return [...set].filter((p) => p * PAGE < total);
  }, [first, last, selected, total]);
  const results = useQueries({
    queries: pages.map((p) => {
      const expected = Math.min(PAGE, total - p * PAGE); // a growing last page refetches
      return {
        queryKey: ["run-events", slug, initial.id, p, expected],
        queryFn: async (): Promise<TimelinePage> => {
          const answer = await consoleApi("GET", "/t/[tenant]/runs/[runId]/events", { params, query: { offset: p * PAGE, limit: PAGE } });
          if ("found" in answer) throw new Error("Expected a page of the timeline."); // only a `find=` query answers that
          return answer;
        },
        staleTime: Infinity,
        gcTime: 60_000,
      };
    }),
  });
  const eventAt = (index: number): TimelineEvent | undefined => {
    const i = pages.indexOf(Math.floor(index / PAGE));
    return i < 0 ? undefined : results[i]?.data?.events[index % PAGE];
  };

  const scrollTo = useCallback((index: number, align: "center" | "end" = "center") => {
    const el = listRef.current;
    if (!el) return;
    const top = align === "end" ? index * ROW - VIEWPORT + ROW * 2 : index * ROW - VIEWPORT / 2 + ROW / 2;
    el.scrollTop = Math.max(0, top);
    setScrollTop(el.scrollTop);
  }, []);

  // Counts every move, so a link's late answer does not pull the reader back after they moved on.
  const moves = useRef(0);
  const go = useCallback(
    (index: number) => {
      moves.current++;
      const clamped = Math.max(0, Math.min(total - 1, index));
      setSelected(clamped);
      scrollTo(clamped);
    },
    [scrollTo, total],
  );

  // Live tail: keep the newest events in view while the run is running.
  useEffect(() => {
    if (follow && run.status === "running" && total > 0 && !replay) scrollTo(total - 1, "end");
  }, [follow, run.status, total, replay, scrollTo]);

  // Play: one step every 400 ms until the end.
  const selectedRef = useRef(selected);
  useEffect(() => {
    selectedRef.current = selected;
  }, [selected]);
  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const next = (selectedRef.current ?? -1) + 1;
      if (next >= total) setPlaying(false);
      else go(next);
    }, 400);
    return () => clearInterval(timer);
  }, [playing, total, go]);

  const position = selected ?? 0;
  const [statePosition, setStatePosition] = useState(position);
  useEffect(() => {
    const timer = setTimeout(() => setStatePosition(position), 120); // scrubbing: ask once it settles
    return () => clearTimeout(timer);
  }, [position]);
  const replayState = useQuery({
    queryKey: ["run-state", slug, initial.id, statePosition, total],
    queryFn: () => consoleApi("GET", "/t/[tenant]/runs/[runId]/state", { params, query: { position: statePosition } }),
    enabled: replay && total > 0,
    placeholderData: (previous) => previous,
  });

  async function followLink(id: string) {
    const movesBefore = moves.current;
    const answer = await consoleApi("GET", "/t/[tenant]/runs/[runId]/events", { params, query: { find: id } });
    const found = "found" in answer ? answer.found : null;
    if (found && moves.current === movesBefore) go(found.position);
  }

  function onKey(e: React.KeyboardEvent) {
    if (e.key === "ArrowDown" || e.key === "j") {
      e.preventDefault();
      go(position + (selected === null ? 0 : 1));
    } else if (e.key === "ArrowUp" || e.key === "k") {
      e.preventDefault();
      go(position - 1);
    }
  }

  const current = selected !== null ? eventAt(selected) : undefined;
  const visible: number[] = [];
  for (let i = first; i <= last && i < total; i++) visible.push(i);

  return (
    <div className="space-y-5">
      <RunHeader run={run} />

      <div className="flex flex-wrap items-center gap-2">
        <Button
          variant={replay ? "primary" : "secondary"}
          onClick={() => {
            setReplay(!replay);
            setPlaying(false);
            if (!replay && selected === null && total > 0) go(0);
          }}
          aria-pressed={replay}
        >
          {replay ? "Exit replay" : "Replay"}
        </Button>
        {replay ? (
          <div className="flex flex-1 flex-wrap items-center gap-2" role="group" aria-label="Replay controls">
            <Button variant="ghost" size="sm" onClick={() => go(0)} aria-label="First event">
              ⏮
            </Button>
            <Button variant="secondary" size="sm" onClick={() => go(position - 1)} disabled={position <= 0}>
              ◀ Step back
            </Button>
            <Button variant="secondary" size="sm" onClick={() => setPlaying(!playing)}>
              {playing ? "Pause" : "Play"}
            </Button>
            <Button variant="secondary" size="sm" onClick={() => go(position + 1)} disabled={position >= total - 1}>
              Step ▶
            </Button>
            <Button variant="ghost" size="sm" onClick={() => go(total - 1)} aria-label="Last event">
              ⏭
            </Button>
            <input
              type="range"
              aria-label="Scrub through the run"
              className="min-w-48 flex-1 accent-brand-600"
              min={0}
              max={Math.max(0, total - 1)}
              value={position}
              onChange={(e) => go(Number(e.target.value))}
            />
            <span className="text-xs tabular-nums text-slate-600" data-testid="replay-position">
              Event {formatCount(position + 1)} of {formatCount(total)}
            </span>
          </div>
        ) : (
          <span className="text-xs text-slate-500">
            {formatCount(total)} events · click one for its payload · ↑/↓ to move
            {run.status === "running" ? (
              <label className="ml-3 inline-flex items-center gap-1">
                <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow live
              </label>
            ) : null}
          </span>
        )}
      </div>

      <div className="flex gap-4">
        <div className="min-w-0 flex-1 rounded-lg border border-slate-200 bg-white shadow-sm">
          <div className="grid grid-cols-[4.5rem_6.5rem_4rem_8rem_1fr] gap-2 border-b border-slate-200 bg-slate-50 px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
            <span>#</span>
            <span>Time</span>
            <span>Source</span>
            <span>Type</span>
            <span>What happened</span>
          </div>
          {total === 0 ? (
            <p className="px-3 py-8 text-center text-sm text-slate-500">No events stored yet.</p>
          ) : (
            <div
              ref={listRef}
              role="listbox"
              aria-label="Timeline"
              aria-activedescendant={selected !== null ? `event-${selected}` : undefined}
              tabIndex={0}
              onKeyDown={onKey}
              onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
              className="relative overflow-y-auto focus:outline-none focus:ring-2 focus:ring-inset focus:ring-brand-500"
              style={{ height: VIEWPORT }}
              data-testid="timeline"
            >
              <div style={{ height: total * ROW, position: "relative" }}>
                {visible.map((i) => {
                  const e = eventAt(i);
                  const isSelected = i === selected;
                  const link = e ? causalLink(e) : null;
                  return (
                    <div
                      key={i}
                      id={`event-${i}`}
                      role="option"
                      aria-selected={isSelected}
                      data-testid="timeline-row"
                      data-index={i}
                      onClick={() => setSelected(i)}
                      className={`absolute inset-x-0 grid cursor-pointer grid-cols-[4.5rem_6.5rem_4rem_8rem_1fr] items-center gap-2 border-b border-slate-100 px-3 text-sm ${
                        isSelected ? "bg-brand-50 ring-1 ring-inset ring-brand-300" : e?.source === "server" ? "bg-slate-50 hover:bg-slate-100" : "hover:bg-slate-50"
                      } ${replay && selected !== null && i > selected ? "opacity-40" : ""}`}
                      style={{ top: i * ROW, height: ROW }}
                    >
                      <span className="font-mono text-xs tabular-nums text-slate-400">{i + 1}</span>
                      {e ? (
                        <>
                          <span className="font-mono text-xs tabular-nums text-slate-600" title={e.ts}>
                            {e.ts.slice(11, 23)}
                          </span>
                          <span>
                            <SourceMark source={e.source} />
                          </span>
                          <span className="truncate">
                            <TypeBadge event={e} />
                          </span>
                          <span className="truncate text-slate-700" title={eventSummary(e)}>
                            {isAttestedCall(e) ? <AttestedMark /> : null}
                            {link ? <span className="mr-1 text-xs text-slate-400">↳ {link.label}</span> : null}
                            {eventSummary(e)}
                          </span>
                        </>
                      ) : (
                        <span className="col-span-4 h-3 w-2/3 animate-pulse rounded bg-slate-100" aria-label="Loading" />
                      )}
                    </div>
                  );
                })}
              </div>
            </div>
          )}
        </div>

        <aside className="w-96 shrink-0 space-y-4">
          {replay ? <ReplayPanel state={replayState.data} loading={replayState.isFetching} /> : null}
          <Card title="Payload">
            {current && selected !== null ? (
              <PayloadViewer event={current} position={selected} onFollow={followLink} />
            ) : selected !== null ? (
              <p className="text-sm text-slate-500">Loading…</p>
            ) : (
              <p className="text-sm text-slate-500">Select an event to see what was stored (redacted) and its hash.</p>
            )}
          </Card>
        </aside>
      </div>
    </div>
  );
}

function RunHeader({ run }: { run: RunSummary }) {
  const model = typeof run.model === "string" ? run.model : (run.model as { name?: string; provider?: string } | null)?.name;
  return (
    <div className="space-y-3" data-testid="run-header">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-slate-600">
        <OutcomeBadge status={run.status} outcome={run.outcome} />
        <span>
          Agent <span className="font-medium text-slate-900">{run.agent.name ?? run.agent.id}</span>
        </span>
        <span>
          Started <Time value={run.started_at} />
        </span>
        {run.finished_at ? (
          <span>
            Finished <Time value={run.finished_at} />
          </span>
        ) : null}
        {model ? <span>Model {model}</span> : null}
        <span>Policy {run.policy_version !== null ? `v${run.policy_version}` : "—"}</span>
      </div>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4 lg:grid-cols-8">
        <Stat label="Duration" value={formatElapsed(run.duration_ms)} />
        <Stat label="Cost" value={formatUsd(run.totals.cost_usd)} />
        <Stat label="Tokens" value={formatCount(run.totals.tokens)} hint={`${formatCount(run.totals.input_tokens)} in / ${formatCount(run.totals.output_tokens)} out`} />
        <Stat label="Tool calls" value={formatCount(run.totals.tool_calls)} />
        <Stat label="Errors" value={formatCount(run.totals.errors)} />
        <Stat label="Decisions" value={formatCount(run.totals.decisions)} hint={`${formatCount(run.totals.denials)} denied`} />
        <Stat label="Approvals" value={formatCount(run.totals.approvals)} />
        <Stat label="Events" value={formatCount(run.totals.events)} hint={`${formatCount(run.totals.side_effects)} side effects`} />
      </div>
    </div>
  );
}

function ReplayPanel({ state, loading }: { state: ReplayState | undefined; loading: boolean }) {
  const rows: [string, string][] = state
    ? [
        ["Cost so far", formatUsd(state.cost_usd)],
        ["Tokens", `${formatCount(state.input_tokens)} in / ${formatCount(state.output_tokens)} out`],
        ["Tool calls", formatCount(state.tool_calls)],
        ["Errors", formatCount(state.errors)],
        ["Decisions", `${formatCount(state.decisions)} (${formatCount(state.denials)} denied)`],
        ["Open approvals", formatCount(state.open_approvals)],
        ["Side effects", formatCount(state.side_effects)],
      ]
    : [];
  return (
    <Card title="State at this point" actions={loading ? <span className="text-xs text-slate-400">updating…</span> : null}>
      {state ? (
        <div className="space-y-2" data-testid="replay-state">
          <dl className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-1 text-sm">
            {rows.map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-slate-500">{k}</dt>
                <dd className="text-right font-medium tabular-nums text-slate-900" data-testid={`replay-${k.toLowerCase().replaceAll(" ", "-")}`}>
                  {v}
                </dd>
              </div>
            ))}
          </dl>
          {state.quota.length ? (
            <div className="border-t border-slate-100 pt-2 text-xs text-slate-600">
              <div className="mb-1 font-medium text-slate-700">Quota (last decision)</div>
              {state.quota.map((q, i) => (
                <div key={i} className="flex justify-between tabular-nums">
                  <span>{q.name}</span>
                  <span>
                    {q.remaining ?? "?"} / {q.limit ?? "?"} left
                  </span>
                </div>
              ))}
            </div>
          ) : null}
          <p className="text-xs text-slate-500">
            After event {formatCount(state.position + 1)}
            {state.at ? (
              <>
                {" "}
                at <Time value={state.at} />
              </>
            ) : null}
          </p>
        </div>
      ) : (
        <p className="text-sm text-slate-500">Loading…</p>
      )}
    </Card>
  );
}
