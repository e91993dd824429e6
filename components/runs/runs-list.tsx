"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { consoleApi } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/field";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { OUTCOME_TONE, formatCount, formatElapsed, formatUsd } from "./format";
import type { RunRow } from "./types";

type Filters = { agent: string; outcome: string; from: string; to: string; minCost: string; denials: string; approvals: string; q: string };
const EMPTY: Filters = { agent: "", outcome: "", from: "", to: "", minCost: "", denials: "", approvals: "", q: "" };
const OUTCOMES = ["running", "succeeded", "failed", "escalated", "terminated"] as const;
/** A yes/no filter as the query takes it; "" (any) is left out. */
const flag = (value: string) => (value === "true" || value === "false" ? value : undefined);

export function OutcomeBadge({ status, outcome }: { status: RunRow["status"]; outcome: RunRow["outcome"] }) {
  if (status === "running" && !outcome) return <Badge tone="brand">running</Badge>;
  return <Badge tone={OUTCOME_TONE[outcome ?? ""] ?? "neutral"}>{outcome ?? "finished"}</Badge>;
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function RunsList({ slug, agents }: { slug: string; agents: { id: string; name: string }[] }) {
  const router = useRouter();
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const q = useDebounced(filters.q.trim(), 300);
  const minCost = useDebounced(filters.minCost, 300);
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  const key = { ...filters, q, minCost };
  const query = useInfiniteQuery({
    queryKey: ["runs", slug, key],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      consoleApi("GET", "/t/[tenant]/runs", {
        params: { tenant: slug },
        query: {
          limit: 50,
          agent: key.agent || undefined,
          outcome: OUTCOMES.find((o) => o === key.outcome),
          from: key.from ? new Date(key.from).toISOString() : undefined,
          to: key.to ? new Date(key.to).toISOString() : undefined,
          min_cost: key.minCost && Number(key.minCost) >= 0 ? key.minCost : undefined,
          has_denials: flag(key.denials),
          has_approvals: flag(key.approvals),
          q: key.q || undefined,
          before: pageParam ?? undefined,
        },
      }),
    getNextPageParam: (last) => last.next,
    refetchInterval: 10_000,
  });
  const runs = query.data?.pages.flatMap((p) => p.runs) ?? [];
  const filtered = Object.values(filters).some((v) => v !== "");

  return (
    <div className="space-y-3">
      <form role="search" aria-label="Filter runs" className="grid grid-cols-2 gap-2 md:grid-cols-4 lg:grid-cols-8" onSubmit={(e) => e.preventDefault()}>
        <div className="col-span-2">
          <Input type="search" aria-label="Search runs" placeholder="Run id or side-effect id (re_…, PR #…)" value={filters.q} onChange={(e) => set({ q: e.target.value })} />
        </div>
        <Select aria-label="Agent" value={filters.agent} onChange={(e) => set({ agent: e.target.value })}>
          <option value="">All agents</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </Select>
        <Select aria-label="Outcome" value={filters.outcome} onChange={(e) => set({ outcome: e.target.value })}>
          <option value="">All outcomes</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </Select>
        <Input aria-label="Started from" type="datetime-local" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
        <Input aria-label="Started until" type="datetime-local" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
        <Input aria-label="Minimum cost (USD)" type="number" min={0} step="0.01" placeholder="Min cost $" value={filters.minCost} onChange={(e) => set({ minCost: e.target.value })} />
        <Select aria-label="Denials" value={filters.denials} onChange={(e) => set({ denials: e.target.value })}>
          <option value="">Denials: any</option>
          <option value="true">With denials</option>
          <option value="false">No denials</option>
        </Select>
        <Select aria-label="Approvals" value={filters.approvals} onChange={(e) => set({ approvals: e.target.value })}>
          <option value="">Approvals: any</option>
          <option value="true">With approvals</option>
          <option value="false">No approvals</option>
        </Select>
        {filtered ? (
          <Button variant="ghost" onClick={() => setFilters(EMPTY)}>
            Clear filters
          </Button>
        ) : null}
      </form>

      <Table label="Runs">
        <thead>
          <tr>
            <Th>Run</Th>
            <Th>Agent</Th>
            <Th>Outcome</Th>
            <Th>Started</Th>
            <Th className="text-right">Duration</Th>
            <Th className="text-right">Events</Th>
            <Th className="text-right">Tool calls</Th>
            <Th className="text-right">Errors</Th>
            <Th className="text-right">Tokens</Th>
            <Th className="text-right">Cost</Th>
            <Th>Policy</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {query.isPending ? (
            <tr>
              <Td colSpan={11} className="py-8 text-center text-slate-500">
                Loading…
              </Td>
            </tr>
          ) : query.isError ? (
            <tr>
              <Td colSpan={11} className="py-8 text-center text-red-700">
                {query.error.message}
              </Td>
            </tr>
          ) : runs.length === 0 ? (
            <tr>
              <Td colSpan={11} className="py-8 text-center text-slate-500">
                {filtered ? "No runs match these filters." : "No runs yet."}
              </Td>
            </tr>
          ) : (
            runs.map((r) => {
              const href = `/t/${slug}/runs/${r.id}`;
              return (
                <tr
                  key={r.id}
                  data-testid="run-row"
                  className="cursor-pointer hover:bg-slate-50"
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest("a, button")) return;
                    router.push(href);
                  }}
                >
                  <Td>
                    <Link href={href} className="font-mono text-xs font-medium text-slate-900 hover:text-brand-700 hover:underline">
                      {r.runId}
                    </Link>
                  </Td>
                  <Td>{r.agent.name}</Td>
                  <Td>
                    <OutcomeBadge status={r.status} outcome={r.outcome} />
                  </Td>
                  <Td>
                    <Time value={r.startedAt} />
                  </Td>
                  <Td className="text-right tabular-nums">{formatElapsed(r.durationMs)}</Td>
                  <Td className="text-right tabular-nums">{formatCount(r.events)}</Td>
                  <Td className="text-right tabular-nums">{formatCount(r.toolCalls)}</Td>
                  <Td className={`text-right tabular-nums ${r.errors ? "text-red-700" : ""}`}>{formatCount(r.errors)}</Td>
                  <Td className="text-right tabular-nums">{formatCount(r.tokens)}</Td>
                  <Td className="text-right tabular-nums">{formatUsd(r.costUsd)}</Td>
                  <Td>
                    <div className="flex gap-1">
                      {r.denials ? <Badge tone="red">{r.denials} denied</Badge> : null}
                      {r.approvals ? <Badge tone="amber">{r.approvals} approval{r.approvals === 1 ? "" : "s"}</Badge> : null}
                    </div>
                  </Td>
                </tr>
              );
            })
          )}
        </tbody>
      </Table>
      {query.hasNextPage ? (
        <div className="flex justify-center">
          <Button variant="secondary" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load older runs"}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
