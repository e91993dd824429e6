import Link from "next/link";
import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { getOnboardingChecklist } from "@/lib/onboarding/get-onboarding-checklist";
import { getTenantOverview } from "@/lib/overview/get-tenant-overview";
import { listRunAgents } from "@/lib/runs/list-runs";
import { FirstRunChecklist } from "@/components/onboarding/first-run-checklist";
import { RunStatsCharts } from "@/components/runs/run-stats-charts";
import { Badge } from "@/components/ui/badge";
import { Card, PageHeader, Stat } from "@/components/ui/page";
import { Time } from "@/components/ui/time";

export const metadata = { title: "Overview" };

export default async function OverviewPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const [o, runAgents, onboarding] = await Promise.all([
    getTenantOverview({ tenantId: member.tenant.id }),
    listRunAgents({ tenantId: member.tenant.id }),
    getOnboardingChecklist({ tenantId: member.tenant.id }),
  ]);
  const decided = (o.decisions24h.allow ?? 0) + (o.decisions24h.deny ?? 0) + (o.decisions24h.pending_approval ?? 0);

  return (
    <>
      <PageHeader title={member.tenant.name} description="What your agents did in the last 24 hours, and whether the record of it is intact." />
      <FirstRunChecklist
        slug={slug}
        initial={onboarding}
        now={Date.now()}
        can={{
          agents: can(member.role, "agents.manage"),
          policies: can(member.role, "policies.manage"),
          settings: can(member.role, "settings.manage"),
          members: can(member.role, "members.manage"),
        }}
      />
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Agents" value={o.agents} hint={o.agents ? `${o.activeAgents} active` : "none registered yet"} />
        <Stat label="Pending approvals" value={o.pendingApprovals} hint="waiting for a human" />
        <Stat label="Runs (24 h)" value={o.runs24h} hint={decided ? `${decided} decisions` : "no decisions yet"} />
        <Stat label="Members" value={o.members} />
      </div>

      <div className="mt-6 grid gap-4 lg:grid-cols-2">
        <Card title="Decisions (24 h)">
          {decided === 0 ? (
            <p className="text-sm text-slate-600">
              No decisions yet. Once agents are registered and ask Gatehouse before their tool calls, allow, deny and approval counts appear
              here.
            </p>
          ) : (
            <DecisionBar allow={o.decisions24h.allow ?? 0} deny={o.decisions24h.deny ?? 0} pending={o.decisions24h.pending_approval ?? 0} />
          )}
        </Card>
        <Card
          title="Audit trail"
          actions={can(member.role, "audit.view") ? <Link href={`/t/${slug}/audit`} className="text-xs font-medium text-brand-600 hover:underline">Open audit log</Link> : null}
        >
          <div className="mb-3 flex items-center gap-2 text-sm">
            <span className="text-slate-600">{o.auditEntries} entries, hash-chained.</span>
            {o.lastVerification ? (
              o.lastVerification.ok ? (
                <Badge tone="green">Chain verified</Badge>
              ) : (
                <Badge tone="red">Chain broken at #{o.lastVerification.brokenAtSeq?.toString()}</Badge>
              )
            ) : (
              <Badge>Not verified yet</Badge>
            )}
          </div>
          <ul className="divide-y divide-slate-100">
            {o.recentAudit.map((e) => (
              <li key={e.id} className="flex items-baseline justify-between gap-3 py-1.5">
                <span className="truncate">
                  <span className="font-mono text-xs text-slate-800">{e.action}</span>{" "}
                  <span className="text-slate-500">by {e.actorLabel}</span>
                </span>
                <span className="shrink-0 text-xs text-slate-500">
                  <Time value={e.createdAt} />
                </span>
              </li>
            ))}
          </ul>
        </Card>
      </div>

      <div className="mt-6">
        <RunStatsCharts slug={slug} agents={runAgents} />
      </div>
    </>
  );
}

function DecisionBar({ allow, deny, pending }: { allow: number; deny: number; pending: number }) {
  const total = allow + deny + pending;
  const parts = [
    { label: "Allowed", value: allow, className: "bg-emerald-500" },
    { label: "Needed approval", value: pending, className: "bg-amber-400" },
    { label: "Denied", value: deny, className: "bg-red-500" },
  ];
  return (
    <div>
      <div className="flex h-3 overflow-hidden rounded-full bg-slate-100" role="img" aria-label={parts.map((p) => `${p.label} ${p.value}`).join(", ")}>
        {parts.map((p) => (p.value ? <div key={p.label} className={p.className} style={{ width: `${(p.value / total) * 100}%` }} /> : null))}
      </div>
      <dl className="mt-3 grid grid-cols-3 gap-2 text-xs">
        {parts.map((p) => (
          <div key={p.label}>
            <dt className="flex items-center gap-1.5 text-slate-500">
              <span className={`h-2 w-2 rounded-full ${p.className}`} />
              {p.label}
            </dt>
            <dd className="text-base font-semibold tabular-nums text-slate-900">{p.value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
