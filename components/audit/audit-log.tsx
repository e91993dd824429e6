"use client";

import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { consoleApi, type ConsoleAnswer } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/field";
import { Icons } from "@/components/ui/icons";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { VerificationBanner } from "@/components/ui/verification-banner";

/** POST /api/console/t/[tenant]/audit/verify; the page builds the same from the latest stored verification. */
type Verification = ConsoleAnswer<"POST", "/t/[tenant]/audit/verify">;

export function AuditLog({ slug, actions, lastVerification }: { slug: string; actions: string[]; lastVerification: Verification | null }) {
  const [filters, setFilters] = useState({ action: "", actor: "", from: "", to: "" });
  const [expanded, setExpanded] = useState<string | null>(null);
  const [verification, setVerification] = useState<Verification | null>(lastVerification);

  const query = useInfiniteQuery({
    queryKey: ["audit", slug, filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      consoleApi("GET", "/t/[tenant]/audit", {
        params: { tenant: slug },
        query: {
          limit: 50,
          action: filters.action || undefined,
          actor: filters.actor || undefined,
          from: filters.from ? new Date(filters.from).toISOString() : undefined,
          to: filters.to ? new Date(filters.to).toISOString() : undefined,
          before: pageParam ?? undefined,
        },
      }),
    getNextPageParam: (last) => last.next,
  });

  const verify = useMutation({
    mutationFn: () => consoleApi("POST", "/t/[tenant]/audit/verify", { params: { tenant: slug } }),
    onSuccess: (v) => setVerification(v),
  });

  const entries = query.data?.pages.flatMap((p) => p.entries) ?? [];

  return (
    <div className="space-y-4">
      <ChainStatus verification={verification} onVerify={() => verify.mutate()} verifying={verify.isPending} error={verify.error?.message} />

      <form role="search" aria-label="Filter audit entries" className="grid grid-cols-2 gap-2 md:grid-cols-5" onSubmit={(e) => e.preventDefault()}>
        <Select aria-label="Action" value={filters.action} onChange={(e) => setFilters({ ...filters, action: e.target.value })}>
          <option value="">All actions</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select>
        <Input aria-label="Actor" placeholder="Actor contains…" value={filters.actor} onChange={(e) => setFilters({ ...filters, actor: e.target.value })} />
        <Input aria-label="From" type="datetime-local" value={filters.from} onChange={(e) => setFilters({ ...filters, from: e.target.value })} />
        <Input aria-label="To" type="datetime-local" value={filters.to} onChange={(e) => setFilters({ ...filters, to: e.target.value })} />
        <Button variant="ghost" onClick={() => setFilters({ action: "", actor: "", from: "", to: "" })}>
          Clear filters
        </Button>
      </form>

      <Table label="Audit entries">
        <thead>
          <tr>
            <Th className="w-16">#</Th>
            <Th>Time</Th>
            <Th>Actor</Th>
            <Th>Action</Th>
            <Th>Target</Th>
            <Th className="w-20" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {query.isPending ? (
            <tr>
              <Td colSpan={6} className="py-8 text-center text-slate-500">
                Loading…
              </Td>
            </tr>
          ) : query.isError ? (
            <tr>
              <Td colSpan={6} className="py-8 text-center text-red-700">
                {query.error.message}
              </Td>
            </tr>
          ) : entries.length === 0 ? (
            <tr>
              <Td colSpan={6} className="py-8 text-center text-slate-500">
                No entries match these filters.
              </Td>
            </tr>
          ) : (
            entries.map((e) => (
              <Fragment key={e.id}>
                <tr className="hover:bg-slate-50" data-testid="audit-row">
                  <Td className="font-mono text-xs tabular-nums text-slate-500">{e.seq}</Td>
                  <Td>
                    <Time value={e.createdAt} />
                  </Td>
                  <Td>
                    <span className="text-slate-900">{e.actorLabel}</span> <span className="text-xs text-slate-400">{e.actorType}</span>
                  </Td>
                  <Td className="font-mono text-xs text-slate-900">{e.action}</Td>
                  <Td className="text-xs">
                    {e.targetType} <span className="font-mono text-slate-500">{e.targetId}</span>
                  </Td>
                  <Td>
                    <Button variant="ghost" size="sm" aria-expanded={expanded === e.id} onClick={() => setExpanded(expanded === e.id ? null : e.id)}>
                      {expanded === e.id ? "Hide" : "Details"}
                    </Button>
                  </Td>
                </tr>
                {expanded === e.id ? (
                  <tr className="bg-slate-50/70">
                    <Td colSpan={6}>
                      <div className="grid gap-3 md:grid-cols-2">
                        <JsonBlock label="Before" value={e.before} />
                        <JsonBlock label="After" value={e.after} />
                      </div>
                      <dl className="mt-3 grid gap-x-4 gap-y-1 font-mono text-[11px] text-slate-500 md:grid-cols-[auto_1fr]">
                        <dt>request</dt>
                        <dd>{e.requestId ?? "—"}</dd>
                        <dt>hash</dt>
                        <dd className="break-all">{e.hash}</dd>
                        <dt>prev</dt>
                        <dd className="break-all">{e.prevHash}</dd>
                      </dl>
                    </Td>
                  </tr>
                ) : null}
              </Fragment>
            ))
          )}
        </tbody>
      </Table>
      {query.hasNextPage ? (
        <div className="flex justify-center">
          <Button variant="secondary" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load older entries"}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function ChainStatus({ verification, onVerify, verifying, error }: { verification: Verification | null; onVerify: () => void; verifying: boolean; error?: string }) {
  return (
    <VerificationBanner
      testId="chain-status"
      ok={verification ? verification.ok : null}
      icon={<Icons.check className="mt-0.5 h-5 w-5 text-emerald-600" />}
      title={
        !verification
          ? "The chain has not been verified yet"
          : verification.ok
            ? `Chain verified: ${verification.checked} entries intact`
            : `Chain broken at entry #${verification.brokenAtSeq}`
      }
      error={error}
      onVerify={onVerify}
      verifying={verifying}
      verifyLabel="Verify now"
    >
      {verification ? (
        <>
          {verification.problem ? `${verification.problem}. ` : null}Last checked <Time value={verification.at} />. The worker re-checks every hour.
        </>
      ) : (
        "Recompute every hash now, or wait for the hourly check."
      )}
    </VerificationBanner>
  );
}

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  return (
    <div>
      <div className="mb-1 text-xs font-medium text-slate-500">{label}</div>
      <pre className="max-h-64 overflow-auto rounded-md bg-white p-2 font-mono text-xs text-slate-800 ring-1 ring-slate-200">
        {value === null || value === undefined ? "—" : JSON.stringify(value, null, 2)}
      </pre>
    </div>
  );
}
