"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { consoleApi } from "@/components/api";
import { CoverageBadge } from "@/components/connections/coverage-badge";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cx } from "@/components/ui/cx";
import { Icons } from "@/components/ui/icons";
import { EmptyState } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { TierBadge } from "./badges";
import { CAPABILITY_QUESTION, RISK_LABEL, TIER_LABEL, plural } from "./describe";
import type { ApprovalTier, Capability, CapabilityReport, Grant, Registry } from "./types";
import { useSeededQuery } from "./queries";

/** Least oversight first: the cell shows the weakest tier among an agent's grants. */
const OVERSIGHT: ApprovalTier[] = ["autonomous", "threshold", "always", "two_person"];
const CELL_TONE: Record<ApprovalTier, string> = {
  autonomous: "bg-red-50 text-red-800 ring-red-200 hover:bg-red-100",
  threshold: "bg-amber-50 text-amber-900 ring-amber-200 hover:bg-amber-100",
  always: "bg-brand-50 text-brand-700 ring-brand-100 hover:bg-brand-100",
  two_person: "bg-emerald-50 text-emerald-800 ring-emerald-200 hover:bg-emerald-100",
};

type Cell = { operations: number; weakest: ApprovalTier; grants: Grant[] };
type Selection = { agentId: string | null; capability: Capability | null };

const weakestOf = (grants: Grant[]) => OVERSIGHT.find((t) => grants.some((g) => g.approval === t)) ?? "two_person";
const distinctOps = (grants: Grant[]) => new Set(grants.map((g) => `${g.tool}/${g.operation}`)).size;

/**
 * "Which agents can delete data, deploy code, move money, change identities?" from the
 * published policy: per capability, who; a matrix agents × capabilities coloured by the
 * least oversight any grant leaves; and every grant with the rule behind it.
 */
export function CapabilitiesReport({ slug, initial, agents, now }: { slug: string; initial: CapabilityReport; agents: Registry["agents"]; now: number }) {
  const { data: report } = useSeededQuery(["policy-capabilities", slug], () => consoleApi("GET", "/t/[tenant]/policy/capabilities", { params: { tenant: slug } }), initial, now);
  const [selected, setSelected] = useState<Selection>({ agentId: null, capability: null });

  const rows = useMemo(() => {
    const byAgent = new Map<string, { id: string; name: string; status: string; cells: Map<Capability, Cell> }>();
    for (const g of report.grants) {
      let row = byAgent.get(g.agentId);
      if (!row) byAgent.set(g.agentId, (row = { id: g.agentId, name: g.agentName, status: g.agentStatus, cells: new Map() }));
      const cell = row.cells.get(g.capability) ?? { operations: 0, weakest: "two_person" as ApprovalTier, grants: [] };
      cell.grants.push(g);
      row.cells.set(g.capability, cell);
    }
    for (const row of byAgent.values()) {
      for (const cell of row.cells.values()) {
        cell.operations = distinctOps(cell.grants);
        cell.weakest = weakestOf(cell.grants);
      }
    }
    return [...byAgent.values()].sort((a, b) => a.name.localeCompare(b.name));
  }, [report.grants]);

  const agentCoverage = new Map(report.agents.map((a) => [a.agentId, a.coverage]));
  const withoutAny = agents.filter((a) => !rows.some((r) => r.id === a.id)).length;
  const grants = report.grants.filter((g) => (!selected.agentId || g.agentId === selected.agentId) && (!selected.capability || g.capability === selected.capability));
  const filtered = selected.agentId !== null || selected.capability !== null;
  const selectedName = rows.find((r) => r.id === selected.agentId)?.name;

  if (report.version === null) {
    return (
      <EmptyState icon={<Icons.policies className="h-8 w-8" />} title="Nothing published: no agent can do anything">
        The report reads the published policy. Until a version is published, every agent action is denied.{" "}
        <Link href={`/t/${slug}/policies`} className="font-medium text-brand-700 underline">
          Write the allowlist
        </Link>
      </EmptyState>
    );
  }

  return (
    <div className="space-y-5">
      <p className="text-sm text-slate-600">
        From published version {report.version}: enforced permit rules only (shadow rules grant nothing), with the forbid rules that also cover each grant.
      </p>

      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Capabilities">
        {report.capabilities.map((cap) => {
          const holders = rows.filter((r) => r.cells.has(cap));
          return (
            <li key={cap} className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm" data-testid={`capability-${cap}`}>
              <div className="text-xs font-medium uppercase tracking-wide text-slate-500">Can {CAPABILITY_QUESTION[cap]}</div>
              <div className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{holders.length}</div>
              <div className="mt-0.5 text-xs text-slate-600">
                {holders.length === 0 ? (
                  <span className="text-slate-400">no agent</span>
                ) : (
                  <>
                    {holders
                      .slice(0, 4)
                      .map((h) => h.name)
                      .join(", ")}
                    {holders.length > 4 ? ` +${holders.length - 4} more` : ""}
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ul>

      <section aria-labelledby="matrix-title" className="space-y-2">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="matrix-title" className="text-sm font-semibold text-slate-900">
            Agents × capabilities
          </h2>
          <Legend />
        </div>
        {rows.length === 0 ? (
          <p className="rounded-lg border border-slate-200 bg-white px-4 py-6 text-center text-sm text-slate-600">
            No agent can delete data, deploy code, move money or change identities under version {report.version}.
          </p>
        ) : (
          <Table label="Capability matrix">
            <thead>
              <tr>
                <Th>Agent</Th>
                <Th>Coverage</Th>
                {report.capabilities.map((cap) => (
                  <Th key={cap} className="text-center">
                    {RISK_LABEL[cap]}
                  </Th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((row) => (
                <tr key={row.id} data-testid={`matrix-row-${row.name}`}>
                  <Td>
                    <Link href={`/t/${slug}/agents/${row.id}`} className="font-mono text-xs font-medium text-slate-900 hover:text-brand-700 hover:underline">
                      {row.name}
                    </Link>
                    {row.status !== "active" ? (
                      <Badge tone="neutral" className="ml-1.5">
                        {row.status}
                      </Badge>
                    ) : null}
                  </Td>
                  <Td>
                    <CoverageBadge coverage={agentCoverage.get(row.id) ?? "advisory"} />
                  </Td>
                  {report.capabilities.map((cap) => {
                    const cell = row.cells.get(cap);
                    if (!cell)
                      return (
                        <Td key={cap} className="text-center text-slate-300">
                          <span aria-label={`${row.name} cannot ${CAPABILITY_QUESTION[cap]}`}>—</span>
                        </Td>
                      );
                    const active = selected.agentId === row.id && selected.capability === cap;
                    return (
                      <Td key={cap} className="text-center">
                        <button
                          type="button"
                          data-capability={cap}
                          aria-pressed={active}
                          aria-label={`${row.name} can ${CAPABILITY_QUESTION[cap]}: ${plural(cell.operations, "operation")}, least oversight ${TIER_LABEL[cell.weakest].toLowerCase()}. Show the grants.`}
                          title={cell.grants.map((g) => `${g.tool} · ${g.operation} — ${g.ruleName} (${TIER_LABEL[g.approval].toLowerCase()})`).join("\n")}
                          onClick={() => setSelected(active ? { agentId: null, capability: null } : { agentId: row.id, capability: cap })}
                          className={cx("inline-flex min-w-[5.5rem] flex-col items-center rounded-md px-2 py-1 ring-1 ring-inset", CELL_TONE[cell.weakest], active && "ring-2 ring-slate-800")}
                        >
                          <span className="text-sm font-semibold tabular-nums">{cell.operations}</span>
                          <span className="text-[10px] leading-tight">{TIER_LABEL[cell.weakest].replace("Approval above a threshold", "above threshold").toLowerCase()}</span>
                        </button>
                      </Td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {withoutAny > 0 ? <p className="text-xs text-slate-500">{plural(withoutAny, "other agent")} can do none of these.</p> : null}
      </section>

      <section aria-labelledby="grants-title" className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <h2 id="grants-title" className="text-sm font-semibold text-slate-900">
            Grants{" "}
            <span className="font-normal text-slate-500">
              · {filtered ? `${grants.length} of ${report.grants.length}` : report.grants.length}
              {filtered ? ` — ${selectedName ?? ""} ${selected.capability ? `can ${CAPABILITY_QUESTION[selected.capability]}` : ""}` : ""}
            </span>
          </h2>
          {filtered ? (
            <Button variant="ghost" size="sm" onClick={() => setSelected({ agentId: null, capability: null })}>
              Show all
            </Button>
          ) : null}
        </div>
        <Table label="Capability grants">
          <thead>
            <tr>
              <Th>Agent</Th>
              <Th>Capability</Th>
              <Th>Tool · operation</Th>
              <Th>Granted by rule</Th>
              <Th>Approval</Th>
              <Th>Conditional</Th>
              <Th>Restricted by</Th>
              <Th>Coverage</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {grants.length === 0 ? (
              <tr>
                <Td colSpan={8} className="py-6 text-center text-slate-500">
                  No grants.
                </Td>
              </tr>
            ) : (
              grants.map((g, i) => (
                <tr key={`${g.agentId}-${g.tool}-${g.operation}-${g.ruleId}-${i}`} data-testid="capability-grant">
                  <Td className="whitespace-nowrap font-mono text-xs text-slate-900">{g.agentName}</Td>
                  <Td>
                    <Badge tone={g.capability === "money" || g.capability === "delete" ? "red" : "amber"} className="whitespace-nowrap">
                      {RISK_LABEL[g.capability]}
                    </Badge>
                  </Td>
                  <Td className="font-mono text-xs">
                    {g.tool} · {g.operation}
                  </Td>
                  <Td>
                    <span className="text-slate-900">{g.ruleName}</span> <span className="font-mono text-[11px] text-slate-400">{g.ruleId}</span>
                  </Td>
                  <Td>
                    <TierBadge tier={g.approval} />
                  </Td>
                  <Td>
                    {g.conditional ? (
                      <span title="Narrowed by resource patterns, argument constraints, destinations, a time window or a Cedar condition">conditional</span>
                    ) : (
                      <span className="text-slate-500" title="No condition narrows it: any arguments, any resource, any time">
                        unconditional
                      </span>
                    )}
                  </Td>
                  <Td className="text-xs">{g.restrictedBy.length ? g.restrictedBy.join(", ") : <span className="text-slate-400">—</span>}</Td>
                  <Td>
                    <CoverageBadge coverage={g.coverage} />
                  </Td>
                </tr>
              ))
            )}
          </tbody>
        </Table>
      </section>
    </div>
  );
}

function Legend() {
  return (
    <ul className="flex flex-wrap items-center gap-2 text-xs text-slate-600" aria-label="Legend: least oversight among the grants">
      {OVERSIGHT.map((t) => (
        <li key={t} className="flex items-center gap-1">
          <TierBadge tier={t} />
        </li>
      ))}
    </ul>
  );
}
