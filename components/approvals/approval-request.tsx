"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { consoleApi } from "@/components/api";
import { ReversibleBadge, RiskBadge } from "@/components/tools/risk-badge";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cx } from "@/components/ui/cx";
import { Card } from "@/components/ui/page";
import { Time } from "@/components/ui/time";
import { DECIDE_BLOCK_MESSAGE, type ApprovalRequest } from "@/lib/approvals/schemas";
import { ArgsView } from "./args-view";
import { Countdown } from "./countdown";
import { EscalationNote, GroupSignoffs } from "./group-signoffs";
import { STATUS_TONE, approvalProgress, plural, useServerNow } from "./format";
import { ShortcutLegend, isShortcutEvent } from "./kbd";
import { LIVE_INTERVAL_MS, approvalsKey } from "./queries";
import { VoteDialog, voteOutcome, type Verdict } from "./vote-dialog";

const OUTCOME_TONE = { allow: "green", deny: "red", pending_approval: "amber" } as const;

const TIER_TEXT: Record<string, string> = {
  threshold: "one approver when the threshold is crossed",
  always: "one approver, every time",
  two_person: "two distinct approvers",
};

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function decidedSentence(r: ApprovalRequest): string {
  switch (r.status) {
    case "approved":
      return r.redeemedAt ? "Approved, and the agent has run it (the approval is used up)." : "Approved: the agent may run exactly this action, once.";
    case "denied":
      return "Denied: the agent's request was refused.";
    case "expired":
      return "Expired before enough approvers decided: it counts as denied.";
    case "cancelled":
      return "Cancelled: the agent was suspended or decommissioned while this waited.";
    default:
      return "";
  }
}

/** The context the agent gave: its `reason` (or `justification`) as a quote, anything else as JSON. */
/** The limits this call counts against, their use now, and which ones approving extends once. */
function QuotaState({ limits }: { limits: ApprovalRequest["limits"] }) {
  if (limits === null) return <p className="text-sm text-red-700">The quota counters cannot be read right now.</p>;
  return (
    <ul aria-label="Limits this call counts against" className="space-y-2.5">
      {limits.map((q) => {
        const share = Math.min(1, q.used / q.limit);
        const show = (v: number) => (q.metric === "spend_usd" ? `$${v.toFixed(2)}` : String(Math.round(v * 100) / 100));
        return (
          <li key={q.id} className="text-sm">
            <div className="flex items-baseline justify-between gap-3">
              <span className="font-mono text-xs text-slate-900">
                {q.name}
                {q.extended ? <Badge tone="amber" className="ml-2 font-sans">approving extends this once</Badge> : null}
              </span>
              <span className="text-xs tabular-nums text-slate-600">
                {show(q.used)} of {show(q.limit)}
                {q.resetsAt ? ` · resets ${q.resetsAt.slice(0, 16).replace("T", " ")} UTC` : " · this run"}
              </span>
            </div>
            <div className="mt-1 h-1.5 overflow-hidden rounded-full bg-slate-100" role="meter" aria-label={q.name} aria-valuemin={0} aria-valuemax={q.limit} aria-valuenow={q.used}>
              <div className={cx("h-full", share >= 1 ? "bg-red-500" : "bg-brand-500")} style={{ width: `${share * 100}%` }} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}

function Justification({ context }: { context: Record<string, unknown> | null }) {
  if (!context || Object.keys(context).length === 0) return <p className="text-sm text-slate-500">The agent gave no context for this request.</p>;
  const { reason, justification, ...rest } = context;
  const quote = typeof reason === "string" ? reason : typeof justification === "string" ? justification : null;
  const remaining = quote === null ? context : typeof reason === "string" && justification !== undefined ? { justification, ...rest } : rest;
  return (
    <div className="space-y-2">
      {quote ? (
        <blockquote className="border-l-2 border-slate-300 pl-3 text-sm text-slate-800" data-testid="justification">
          {quote}
        </blockquote>
      ) : null}
      {Object.keys(remaining).length ? <ArgsView args={remaining} label="Other context from the agent" /> : null}
    </div>
  );
}

/**
 * One approval request, exactly as it will execute: re-read every 2 s while pending (so
 * others' votes and the expiry show), kept browsable once decided. Approve and Deny go
 * through a dialog with an optional comment; when the viewer may not decide, the page says why.
 */
export function ApprovalRequestView({ slug, initial }: { slug: string; initial: ApprovalRequest }) {
  const query = useQuery({
    queryKey: [...approvalsKey(slug), "request", initial.id],
    queryFn: () => consoleApi("GET", "/t/[tenant]/approvals/[approvalId]", { params: { tenant: slug, approvalId: initial.id } }),
    initialData: initial,
    initialDataUpdatedAt: new Date(initial.now).getTime(),
    refetchInterval: (q) => (q.state.data?.status === "pending" ? LIVE_INTERVAL_MS : 30_000),
    staleTime: 0,
  });
  const r = query.data;
  const now = useServerNow(new Date(initial.now).getTime());
  const [voting, setVoting] = useState<Verdict | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const pending = r.status === "pending" && new Date(r.expiresAt).getTime() > now;
  const blocked = r.viewer.blocked ?? (pending ? null : "not_pending");
  const more = Math.max(0, r.requiredApprovals - r.approvals);
  const missingGroups = r.groups.filter((g) => !g.signed).map((g) => g.name);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (!isShortcutEvent(e) || (e.key !== "a" && e.key !== "d") || blocked) return;
      e.preventDefault();
      setVoting(e.key === "a" ? "approve" : "deny");
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [blocked]);

  const action = `${r.tool} · ${r.operation}`;
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-xs text-slate-500">
        <Link href={`/t/${slug}/approvals`} className="hover:text-slate-800 hover:underline">
          Approvals
        </Link>{" "}
        / <span aria-current="page" className="font-mono">{r.id}</span>
      </nav>
      <div className="mb-5 flex flex-wrap items-end justify-between gap-4 border-b border-slate-200 pb-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2.5">
            <h1 className="font-mono text-xl font-semibold tracking-tight text-slate-900">{action}</h1>
            <span data-testid="approval-status">
              <Badge tone={STATUS_TONE[r.status]}>{r.status}</Badge>
            </span>
            {r.registry ? <RiskBadge risk={r.registry.riskClass} /> : <Badge tone="amber">not in the tool registry</Badge>}
            {r.registry ? <ReversibleBadge reversible={r.registry.reversible} /> : null}
          </div>
          <p className="mt-1 text-sm text-slate-600">
            Asked by <span className="font-mono text-slate-900">{r.agent?.name ?? "a removed agent"}</span> at <Time value={r.createdAt} /> in run{" "}
            <span className="font-mono text-slate-900">{r.run.id}</span>.
          </p>
        </div>
        <div className="flex items-center gap-3">
          {pending ? (
            <div className="text-right">
              <div className="text-xs text-slate-500">Expires in</div>
              <Countdown expiresAt={r.expiresAt} now={now} className="text-lg" />
            </div>
          ) : null}
          {blocked ? null : (
            <>
              <Button onClick={() => setVoting("approve")}>Approve…</Button>
              <Button variant="danger" onClick={() => setVoting("deny")}>
                Deny…
              </Button>
            </>
          )}
        </div>
      </div>

      <div className="space-y-5">
        {notice ? (
          <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-inset ring-emerald-200">
            {notice}
          </p>
        ) : null}
        <div
          className={cx(
            "flex flex-wrap items-center justify-between gap-3 rounded-md px-3 py-2 text-sm ring-1 ring-inset",
            pending ? "bg-amber-50 text-amber-950 ring-amber-200" : r.status === "approved" ? "bg-emerald-50 text-emerald-950 ring-emerald-200" : "bg-slate-100 text-slate-800 ring-slate-200",
          )}
          data-testid="approval-state"
        >
          <span>
            <strong className="font-semibold">{approvalProgress(r.approvals, r.requiredApprovals)}</strong>
            {pending ? (
              <>
                {" "}
                — waiting for {more > 0 || missingGroups.length === 0 ? plural(more, "more approver") : null}
                {more > 0 && missingGroups.length ? " and " : null}
                {missingGroups.length ? <>{missingGroups.join(" and ")} to sign</> : null}. Expires <Time value={r.expiresAt} />; an unanswered request counts as denied.
              </>
            ) : (
              <>
                {" "}
                — {decidedSentence(r)} {r.decidedAt ? <>Decided <Time value={r.decidedAt} />.</> : null}
              </>
            )}
          </span>
          {r.groups.length || r.escalation ? (
            <span className="flex w-full flex-wrap items-center gap-3">
              <GroupSignoffs groups={r.groups} />
              <EscalationNote escalation={r.escalation} />
            </span>
          ) : null}
          {blocked && (pending || blocked !== "not_pending") ? (
            <span className="text-xs font-medium" data-testid="cannot-decide">
              {DECIDE_BLOCK_MESSAGE[blocked]}
            </span>
          ) : null}
        </div>
        {blocked ? null : (
          <ShortcutLegend
            items={[
              [["a"], "approve…"],
              [["d"], "deny…"],
            ]}
          />
        )}

        <div className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_20rem]">
          <div className="min-w-0 space-y-5">
            <Card title="What will execute if approved">
              <dl className="mb-4 grid gap-x-6 gap-y-3 sm:grid-cols-3">
                <Fact label="Tool">
                  <span className="font-mono">{r.tool}</span>
                  {r.registry && r.registry.displayName !== r.tool ? <span className="text-slate-500"> ({r.registry.displayName})</span> : null}
                </Fact>
                <Fact label="Operation">
                  <span className="font-mono">{r.operation}</span>
                </Fact>
                <Fact label="Resource">
                  {r.resource?.id ? (
                    <span className="font-mono" data-testid="resource">
                      {r.resource.type ? `${r.resource.type} ` : ""}
                      {r.resource.id}
                    </span>
                  ) : (
                    <span className="text-slate-400">none named</span>
                  )}
                </Fact>
              </dl>
              {r.registry?.description ? <p className="mb-3 text-xs text-slate-600">{r.registry.description}</p> : null}
              <ArgsView args={r.args} triggers={r.triggers} changes={r.previous?.changes ?? []} label="Arguments" />
              {r.redacted.length ? (
                <div className="mt-2 rounded border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900" data-testid="redacted-fields">
                  Redacted before storage (shown as [REDACTED]):{" "}
                  {r.redacted.map((path, i) => (
                    <span key={path}>
                      {i ? ", " : ""}
                      <span className="font-mono">{path}</span>
                    </span>
                  ))}
                  . The agent&apos;s real values are bound by the action hash, so only the call with exactly those values can use this approval.
                </div>
              ) : null}
              <p className="mt-2 text-xs text-slate-500">
                Approval is bound to exactly these arguments (action hash <span className="font-mono">{r.actionHash.slice(0, 12)}…</span>): any change
                needs a new request.
                {r.previous ? ` Marked changes are against the agent's previous ${r.operation} call.` : " The agent has no earlier call of this operation to compare with."}
              </p>
            </Card>

            <Card title="Why it needs approval">
              <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-2">
                <Fact label="Rule">
                  {r.rule ? (
                    <>
                      <Link href={`/t/${slug}/policies`} className="font-medium text-brand-700 hover:underline" data-testid="rule-name">
                        {r.rule.name}
                      </Link>
                      <span className="block font-mono text-xs text-slate-500">
                        {r.rule.id} · policy v{r.rule.version}
                      </span>
                    </>
                  ) : (
                    <span className="text-slate-600">
                      {r.ruleId ? <span className="font-mono text-xs">{r.ruleId}</span> : "unknown"}{" "}
                      <span className="text-xs text-slate-500">(no longer in the published policy)</span>
                    </span>
                  )}
                </Fact>
                <Fact label="Approval tier">
                  {r.rule ? (TIER_TEXT[r.rule.approval.tier] ?? r.rule.approval.tier) : plural(r.requiredApprovals, "approver")}
                  {r.groups.length ? <>, signed by {r.groups.map((g) => g.name).join(" and ")}</> : null}
                </Fact>
              </dl>
              <p className="mt-3 text-sm text-slate-800" data-testid="approval-reason">
                {r.reason}
              </p>
              {r.triggers.length ? (
                <ul className="mt-2 space-y-1 text-sm">
                  {r.triggers.map((t) => (
                    <li key={JSON.stringify(t.path)}>
                      Triggered by <span className="rounded bg-amber-100 px-1 font-mono text-xs text-amber-950">{t.path.join(".")} = {JSON.stringify(t.value)}</span>, {t.why}.
                    </li>
                  ))}
                </ul>
              ) : r.rule ? (
                <p className="mt-2 text-xs text-slate-500">This rule asks for approval on every matching call, whatever the arguments.</p>
              ) : null}
            </Card>

            {r.limits === null || r.limits.length > 0 ? (
              <Card title="Limits">
                <QuotaState limits={r.limits} />
              </Card>
            ) : null}

            <Card title="The agent's justification">
              <Justification context={r.context} />
            </Card>

            <Card
              title="The run so far"
              actions={
                r.run.internalId ? (
                  <Link href={`/t/${slug}/runs/${r.run.internalId}`} className="text-xs font-medium text-brand-600 hover:underline">
                    Open run timeline
                  </Link>
                ) : null
              }
            >
              {r.run.costUsd !== null ? (
                <p className="mb-3 text-xs text-slate-600">
                  {r.run.status} · {plural(r.run.toolCalls ?? 0, "tool call")} · {plural(r.run.tokens ?? 0, "token")} · ${(r.run.costUsd ?? 0).toFixed(2)} spent so far
                </p>
              ) : null}
              {r.run.decisions.length === 0 ? (
                <p className="text-sm text-slate-500">No decisions of this run are recorded yet.</p>
              ) : (
                <ol aria-label="Recent decisions in this run" className="divide-y divide-slate-100" data-testid="run-decisions">
                  {r.run.decisions.map((d) => (
                    <li key={d.id} className={cx("flex items-baseline gap-3 py-1.5 text-sm", d.isThis && "-mx-2 rounded bg-amber-50 px-2")}>
                      <span className="w-20 shrink-0 text-xs tabular-nums text-slate-500" title={d.createdAt}>
                        {d.createdAt.slice(11, 19)}
                      </span>
                      <span className="min-w-0 flex-1 truncate font-mono text-xs text-slate-900">
                        {d.tool} · {d.operation}
                        {d.isThis ? <span className="ml-2 font-sans font-medium text-amber-900">this request</span> : null}
                      </span>
                      <Badge tone={OUTCOME_TONE[d.outcome as keyof typeof OUTCOME_TONE] ?? "neutral"}>{d.outcome.replace("_", " ")}</Badge>
                    </li>
                  ))}
                </ol>
              )}
            </Card>
          </div>

          <div className="space-y-5">
            <Card title="Agent">
              {r.agent ? (
                <dl className="space-y-3">
                  <Fact label="Name">
                    <Link href={`/t/${slug}/agents/${r.agent.id}`} className="font-mono text-brand-700 hover:underline" data-testid="agent-name">
                      {r.agent.name}
                    </Link>
                    {r.agent.status !== "active" ? <Badge tone="red" className="ml-2">{r.agent.status}</Badge> : null}
                    {r.agent.description ? <span className="block text-xs text-slate-500">{r.agent.description}</span> : null}
                  </Fact>
                  <Fact label="Owner">
                    <span data-testid="agent-owner">{r.agent.owner.email}</span>
                    {r.viewer.ownsAgent ? <span className="block text-xs text-slate-500">That is you.</span> : null}
                  </Fact>
                  <Fact label="Environment">{r.agent.environment}</Fact>
                  {r.agent.labels.length ? (
                    <Fact label="Groups">
                      <span className="flex flex-wrap gap-1">
                        {r.agent.labels.map((l) => (
                          <Badge key={l}>{l}</Badge>
                        ))}
                      </span>
                    </Fact>
                  ) : null}
                </dl>
              ) : (
                <p className="text-sm text-slate-500">This agent no longer exists.</p>
              )}
            </Card>

            <Card title="Votes">
              {r.votes.length === 0 ? (
                <p className="text-sm text-slate-500">No votes yet.</p>
              ) : (
                <ul className="space-y-3" data-testid="votes">
                  {r.votes.map((v) => (
                    <li key={v.userId} className="text-sm">
                      <div className="flex items-center gap-2">
                        <Badge tone={v.verdict === "approve" ? "green" : "red"}>{v.verdict === "approve" ? "approved" : "denied"}</Badge>
                        <span className="truncate text-slate-900" title={v.email}>
                          {v.email}
                        </span>
                      </div>
                      {v.groups.length ? <div className="mt-0.5 text-xs text-slate-500">member of {v.groups.join(", ")}</div> : null}
                      {v.comment ? <p className="mt-1 text-slate-700">“{v.comment}”</p> : null}
                      <div className="mt-0.5 text-xs text-slate-500">
                        <Time value={v.at} />
                      </div>
                    </li>
                  ))}
                </ul>
              )}
              {pending && more > 0 ? <p className="mt-3 text-xs text-slate-600">{plural(more, "more approval")} needed; the agent's owner cannot approve, and each person counts once.</p> : null}
              {pending && missingGroups.length ? (
                <p className="mt-3 text-xs text-slate-600">
                  Still to sign: {missingGroups.join(", ")}. Each group needs its own approving member; a person in several groups signs for one of them.
                </p>
              ) : null}
            </Card>

            <Card title="Previous similar call">
              {r.previous ? (
                <div className="space-y-2 text-sm">
                  <p>
                    <Badge tone={OUTCOME_TONE[r.previous.outcome as keyof typeof OUTCOME_TONE] ?? "neutral"}>{r.previous.outcome.replace("_", " ")}</Badge>{" "}
                    <Time value={r.previous.createdAt} />
                  </p>
                  <p className="text-xs text-slate-600">
                    Run <span className="font-mono">{r.previous.runId}</span>
                    {r.previous.resource?.id ? (
                      <>
                        {" "}
                        · on <span className="font-mono">{r.previous.resource.id}</span>
                      </>
                    ) : null}
                  </p>
                  <p className="text-xs text-slate-700" data-testid="previous-changes">
                    {r.previous.changes.length === 0 ? "Same arguments as this request." : `${plural(r.previous.changes.length, "field")} differ from this request (marked in the arguments).`}
                  </p>
                  <details className="text-xs">
                    <summary className="cursor-pointer text-brand-700">Its arguments</summary>
                    <div className="mt-2">
                      <ArgsView args={r.previous.args} label="Arguments of the previous call" />
                    </div>
                  </details>
                </div>
              ) : (
                <p className="text-sm text-slate-500">This agent has not called {r.operation} before.</p>
              )}
            </Card>
          </div>
        </div>
      </div>

      <VoteDialog
        slug={slug}
        target={
          voting
            ? {
                id: r.id,
                agentName: r.agent?.name ?? "",
                tool: r.tool,
                operation: r.operation,
                resource: r.resource,
                summary: "",
                approvals: r.approvals,
                requiredApprovals: r.requiredApprovals,
                missingGroups,
              }
            : null
        }
        verdict={voting ?? "approve"}
        onClose={() => setVoting(null)}
        onVoted={(result, verdict) => setNotice(voteOutcome(verdict, result))}
      />
    </>
  );
}
