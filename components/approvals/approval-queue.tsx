"use client";

import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { consoleApi } from "@/components/api";
import { RiskBadge } from "@/components/tools/risk-badge";
import { RISK_CLASSES, RISK_LABEL } from "@/components/tools/types";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cx } from "@/components/ui/cx";
import { Select } from "@/components/ui/field";
import { Icons } from "@/components/ui/icons";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { DECIDE_BLOCK_MESSAGE, type QueueItem, type QueuePage, type QueueStatus } from "@/lib/approvals/schemas";
import type { RiskClass } from "@/lib/tools/schemas";
import { Countdown } from "./countdown";
import { EscalationNote, GroupSignoffs } from "./group-signoffs";
import { STATUS_TONE, approvalProgress, describeCountdown, plural, useServerNow } from "./format";
import { ShortcutLegend, isShortcutEvent } from "./kbd";
import { LIVE_INTERVAL_MS, approvalsKey, pendingCountKey } from "./queries";
import { VoteDialog, voteOutcome, type Verdict, type VoteTarget } from "./vote-dialog";

export type QueueFilters = { status: QueueStatus; agent: string; tool: string; risk: "" | RiskClass; page: number };

const STATUS_TABS: { status: QueueStatus; label: string }[] = [
  { status: "pending", label: "Pending" },
  { status: "decided", label: "All decided" },
  { status: "approved", label: "Approved" },
  { status: "denied", label: "Denied" },
  { status: "expired", label: "Expired" },
  { status: "cancelled", label: "Cancelled" },
];

/** The queue's query, defaults left out (so the page's URL stays short). */
function queueQuery(f: QueueFilters, pageSize: number) {
  return {
    status: f.status !== "pending" ? f.status : undefined,
    agent: f.agent || undefined,
    tool: f.tool || undefined,
    risk: f.risk || undefined,
    page: f.page > 1 ? f.page : undefined,
    pageSize: pageSize !== 50 ? pageSize : undefined,
  };
}

/** The same as the page's query string: the query key and the address bar. */
function queryString(query: ReturnType<typeof queueQuery>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  return params.toString();
}

const targetOf = (item: QueueItem): VoteTarget => ({
  id: item.id,
  agentName: item.agent.name,
  tool: item.tool,
  operation: item.operation,
  resource: item.resource,
  summary: item.argsPreview,
  approvals: item.approvals,
  requiredApprovals: item.requiredApprovals,
  missingGroups: item.groups.filter((g) => !g.signed).map((g) => g.name),
});

/**
 * The approvals queue: pending requests by urgency with live countdowns, or the decided
 * history; filters kept in the URL; re-read every 2 s while the tab is visible, so new
 * requests and others' votes show without a reload. Keyboard: j/k or ↓/↑ select, Enter
 * opens, a approves and d denies (each through a dialog with an optional comment).
 */
export function ApprovalQueue({
  slug,
  initial,
  initialFilters,
  agents,
  tools,
}: {
  slug: string;
  initial: QueuePage;
  initialFilters: QueueFilters;
  agents: { id: string; name: string }[];
  tools: string[];
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<QueueFilters>(initialFilters);
  const pageSize = initial.pageSize;
  const queueParams = queueQuery(filters, pageSize);
  const qs = queryString(queueParams);
  const isInitial = qs === queryString(queueQuery(initialFilters, pageSize));
  const query = useQuery({
    queryKey: [...approvalsKey(slug), "queue", qs],
    queryFn: () => consoleApi("GET", "/t/[tenant]/approvals", { params: { tenant: slug }, query: queueParams }),
    initialData: isInitial ? initial : undefined,
    initialDataUpdatedAt: isInitial ? new Date(initial.now).getTime() : undefined,
    placeholderData: keepPreviousData,
    refetchInterval: LIVE_INTERVAL_MS,
    staleTime: 0,
  });
  const data = query.data ?? initial;
  const items = data.items;
  const now = useServerNow(new Date(initial.now).getTime());

  // The URL carries the filters, so Back from a request returns to the same view.
  useEffect(() => {
    const path = `/t/${slug}/approvals${qs ? `?${qs}` : ""}`;
    if (window.location.pathname + window.location.search !== path) window.history.replaceState(window.history.state, "", path);
  }, [slug, qs]);

  // An unfiltered read is the tenant's pending count: keep the sidebar badge in step.
  const unfiltered = !filters.agent && !filters.tool && !filters.risk;
  useEffect(() => {
    if (unfiltered && query.data) queryClient.setQueryData(pendingCountKey(slug), query.data.counts.pending);
  }, [unfiltered, query.data, queryClient, slug]);

  // Selection follows the request, not the row number; when it leaves the list (decided
  // elsewhere), the row now at its place is selected.
  const [selectedId, setSelectedId] = useState<string | null>(items[0]?.id ?? null);
  const lastIndex = useRef(0);
  const found = items.findIndex((i) => i.id === selectedId);
  const index = items.length === 0 ? -1 : found >= 0 ? found : Math.min(lastIndex.current, items.length - 1);
  const selected = index >= 0 ? items[index]! : null;
  useEffect(() => {
    if (index >= 0) lastIndex.current = index;
  }, [index]);

  const rowRefs = useRef(new Map<string, HTMLTableRowElement>());
  const [announce, setAnnounce] = useState("");
  const [notice, setNotice] = useState<{ tone: "ok" | "warn"; text: string } | null>(null);
  const [voting, setVoting] = useState<{ target: VoteTarget; verdict: Verdict } | null>(null);

  const move = useCallback(
    (delta: number) => {
      if (items.length === 0) return;
      const next = items[Math.max(0, Math.min(items.length - 1, (index < 0 ? 0 : index) + delta))]!;
      setSelectedId(next.id);
      const row = rowRefs.current.get(next.id);
      row?.focus();
      row?.scrollIntoView({ block: "nearest" });
      setAnnounce(`${items.indexOf(next) + 1} of ${items.length}: ${next.agent.name}, ${next.tool} ${next.operation}`);
    },
    [items, index],
  );

  const startVote = useCallback((item: QueueItem | null, verdict: Verdict) => {
    if (!item) return;
    if (item.viewer.blocked) {
      setNotice({ tone: "warn", text: DECIDE_BLOCK_MESSAGE[item.viewer.blocked] });
      return;
    }
    setNotice(null);
    setVoting({ target: targetOf(item), verdict });
  }, []);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (!isShortcutEvent(e)) return;
      const onControl = (e.target as HTMLElement | null)?.closest("a, button");
      switch (e.key) {
        case "j":
        case "ArrowDown":
          e.preventDefault();
          move(1);
          break;
        case "k":
        case "ArrowUp":
          e.preventDefault();
          move(-1);
          break;
        case "Enter":
          if (onControl || !selected) return;
          e.preventDefault();
          router.push(`/t/${slug}/approvals/${selected.id}`);
          break;
        case "a":
        case "d":
          // preventDefault: the key must not also type into the dialog's comment field.
          e.preventDefault();
          startVote(selected, e.key === "a" ? "approve" : "deny");
          break;
      }
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [move, selected, router, slug, startVote]);

  const update = (patch: Partial<QueueFilters>) => {
    setNotice(null);
    setFilters((f) => ({ ...f, page: 1, ...patch }));
  };
  const filtered = filters.agent !== "" || filters.tool !== "" || filters.risk !== "";
  // From the data shown (while another filter loads, the previous answer stays on screen).
  const pending = data.status === "pending";
  const pages = Math.max(1, Math.ceil(data.total / pageSize));

  return (
    <div className="space-y-3">
      <div role="group" aria-label="Status" className="flex flex-wrap gap-1 border-b border-slate-200">
        {STATUS_TABS.map((t) => {
          const active = filters.status === t.status;
          return (
            <button
              key={t.status}
              type="button"
              aria-pressed={active}
              onClick={() => update({ status: t.status })}
              className={cx(
                "-mb-px flex items-center gap-1.5 border-b-2 px-3 py-1.5 text-sm font-medium",
                active ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900",
              )}
            >
              {t.label}
              <span className={cx("rounded-full px-1.5 text-xs tabular-nums", active ? "bg-brand-50 text-brand-700" : "bg-slate-100 text-slate-600")} data-testid={`count-${t.status}`}>
                {data.counts[t.status]}
              </span>
            </button>
          );
        })}
      </div>

      <form role="search" aria-label="Filter approval requests" className="flex flex-wrap items-center gap-2" onSubmit={(e) => e.preventDefault()}>
        <div className="w-52">
          <Select aria-label="Agent" value={filters.agent} onChange={(e) => update({ agent: e.target.value })}>
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="w-44">
          <Select aria-label="Tool" value={filters.tool} onChange={(e) => update({ tool: e.target.value })}>
            <option value="">All tools</option>
            {tools.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </div>
        <div className="w-48">
          <Select aria-label="Risk" value={filters.risk} onChange={(e) => update({ risk: e.target.value as "" | RiskClass })}>
            <option value="">All risk classes</option>
            {RISK_CLASSES.map((r) => (
              <option key={r} value={r}>
                {r} — {RISK_LABEL[r]}
              </option>
            ))}
          </Select>
        </div>
        {filtered ? (
          <Button variant="ghost" onClick={() => update({ agent: "", tool: "", risk: "" })}>
            Clear
          </Button>
        ) : null}
        <span className="ml-auto flex items-center gap-1.5 text-xs text-slate-500" title="Re-read every 2 seconds while this tab is visible">
          <span className={cx("h-1.5 w-1.5 rounded-full", query.isError ? "bg-red-500" : "bg-emerald-500")} aria-hidden />
          {query.isError ? "Not updating: " + (query.error as Error).message : "Live"}
        </span>
      </form>

      <ShortcutLegend
        items={[
          [["j", "↓"], "next"],
          [["k", "↑"], "previous"],
          [["Enter"], "open"],
          [["a"], "approve…"],
          [["d"], "deny…"],
        ]}
      />

      {notice ? (
        <p
          role="status"
          className={cx(
            "rounded-md px-3 py-2 text-sm ring-1 ring-inset",
            notice.tone === "ok" ? "bg-emerald-50 text-emerald-900 ring-emerald-200" : "bg-amber-50 text-amber-900 ring-amber-200",
          )}
        >
          {notice.text}
        </p>
      ) : null}
      <p className="sr-only" aria-live="polite">
        {announce}
      </p>

      {items.length === 0 ? (
        <div className="flex flex-col items-center rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center" data-testid="queue-empty">
          <Icons.approvals className="mb-3 h-8 w-8 text-slate-400" />
          <h2 className="text-base font-semibold text-slate-900">
            {pending ? (filtered ? "Nothing pending matches these filters" : "Nothing is waiting for approval") : "No decided requests match"}
          </h2>
          <p className="mt-1.5 max-w-lg text-sm text-slate-600">
            {pending
              ? "When a rule requires a human (refunds above a threshold, merges to main), the request appears here within seconds, with what will execute if you approve it."
              : "Decided requests stay here for auditors, with the votes and comments that decided them."}
          </p>
        </div>
      ) : (
        <Table label={pending ? "Pending approval requests" : "Decided approval requests"}>
          <thead>
            <tr>
              {pending ? <Th className="whitespace-nowrap">Expires in</Th> : <Th>Outcome</Th>}
              <Th>Agent</Th>
              <Th>Action</Th>
              <Th>Risk</Th>
              <Th>Why</Th>
              <Th>Approvals</Th>
              {pending ? <Th className="text-right">Decide</Th> : <Th>Decided</Th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((item, i) => {
              const isSelected = i === index;
              const href = `/t/${slug}/approvals/${item.id}`;
              return (
                <tr
                  key={item.id}
                  ref={(el) => {
                    if (el) rowRefs.current.set(item.id, el);
                    else rowRefs.current.delete(item.id);
                  }}
                  tabIndex={isSelected ? 0 : -1}
                  aria-selected={isSelected}
                  data-testid={`approval-row-${item.id}`}
                  onFocus={() => setSelectedId(item.id)}
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest("a, button")) return;
                    router.push(href);
                  }}
                  className={cx("cursor-pointer outline-none", isSelected ? "bg-brand-50/70 shadow-[inset_3px_0_0_var(--color-brand-600)]" : "hover:bg-slate-50")}
                >
                  <Td>
                    {pending ? (
                      <Countdown expiresAt={item.expiresAt} now={now} />
                    ) : (
                      <Badge tone={STATUS_TONE[item.status]}>{item.status}</Badge>
                    )}
                  </Td>
                  <Td className="max-w-[12rem]">
                    <span className="block truncate font-mono text-xs text-slate-900" title={item.agent.name}>
                      {item.agent.name}
                    </span>
                    <span className="block truncate text-xs text-slate-500" title={`Run ${item.runId}`}>
                      {item.runId}
                    </span>
                  </Td>
                  <Td className="max-w-[22rem]">
                    <Link href={href} className="font-mono text-xs font-medium text-slate-900 hover:text-brand-700 hover:underline">
                      {item.tool} · {item.operation}
                    </Link>
                    {item.resource?.id ? (
                      <span className="ml-1 text-xs text-slate-500">
                        on {item.resource.type ? `${item.resource.type} ` : ""}
                        <span className="font-mono">{item.resource.id}</span>
                      </span>
                    ) : null}
                    {item.argsPreview ? (
                      <span className="block truncate font-mono text-xs text-slate-500" title={item.argsPreview}>
                        {item.argsPreview}
                      </span>
                    ) : null}
                  </Td>
                  <Td>{item.riskClass ? <RiskBadge risk={item.riskClass} /> : <Badge tone="amber">unregistered</Badge>}</Td>
                  <Td className="max-w-[16rem]">
                    <span className="line-clamp-2 text-xs text-slate-600" title={item.reason}>
                      {item.reason}
                    </span>
                  </Td>
                  <Td className="whitespace-nowrap text-xs tabular-nums">
                    <span data-testid="approval-progress" title={approvalProgress(item.approvals, item.requiredApprovals)}>
                      {item.approvals} of {item.requiredApprovals}
                    </span>
                    {item.groups.length ? (
                      <span className="mt-1 block">
                        <GroupSignoffs groups={item.groups} compact />
                      </span>
                    ) : null}
                    {item.escalation?.escalatedAt ? (
                      <span className="mt-1 block">
                        <EscalationNote escalation={item.escalation} compact />
                      </span>
                    ) : null}
                    {item.viewer.vote ? <span className="block text-slate-500">you {item.viewer.vote === "approve" ? "approved" : "denied"}</span> : null}
                    {item.viewer.ownsAgent ? <span className="block text-slate-500">your agent</span> : null}
                  </Td>
                  {pending ? (
                    <Td className="whitespace-nowrap text-right">
                      {item.viewer.blocked ? (
                        <span className="text-xs text-slate-400" title={DECIDE_BLOCK_MESSAGE[item.viewer.blocked]}>
                          {item.viewer.blocked === "voted" ? "voted" : item.viewer.blocked === "owner" ? "owner can't" : item.viewer.blocked === "role" ? "view only" : "—"}
                        </span>
                      ) : (
                        <span className="inline-flex gap-1">
                          <Button size="sm" variant="secondary" onClick={() => startVote(item, "approve")} aria-label={`Approve ${item.tool} ${item.operation} by ${item.agent.name}`}>
                            Approve
                          </Button>
                          <Button size="sm" variant="ghost" className="text-red-700!" onClick={() => startVote(item, "deny")} aria-label={`Deny ${item.tool} ${item.operation} by ${item.agent.name}`}>
                            Deny
                          </Button>
                        </span>
                      )}
                    </Td>
                  ) : (
                    <Td>
                      <Time value={item.decidedAt} />
                    </Td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}

      <div className="flex items-center justify-between text-xs text-slate-500">
        <span>
          {plural(data.total, pending ? "pending request" : "request")}
          {pending && selected ? ` · selected: ${selected.agent.name} ${selected.tool} ${selected.operation}, ${describeCountdown(new Date(selected.expiresAt).getTime() - now)}` : ""}
        </span>
        {pages > 1 ? (
          <span className="flex items-center gap-2">
            <Button size="sm" variant="secondary" disabled={filters.page <= 1} onClick={() => setFilters((f) => ({ ...f, page: f.page - 1 }))}>
              Previous page
            </Button>
            <span className="tabular-nums">
              Page {filters.page} of {pages}
            </span>
            <Button size="sm" variant="secondary" disabled={filters.page >= pages} onClick={() => setFilters((f) => ({ ...f, page: f.page + 1 }))}>
              Next page
            </Button>
          </span>
        ) : null}
      </div>

      <VoteDialog
        slug={slug}
        target={voting?.target ?? null}
        verdict={voting?.verdict ?? "approve"}
        onClose={() => {
          setVoting(null);
          if (selected) rowRefs.current.get(selected.id)?.focus();
        }}
        onVoted={(result, verdict) => setNotice({ tone: "ok", text: voteOutcome(verdict, result) })}
      />
    </div>
  );
}
