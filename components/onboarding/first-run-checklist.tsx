"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { consoleApi } from "@/components/api";
import { Button, buttonClass } from "@/components/ui/button";
import { cx } from "@/components/ui/cx";
import { Icons } from "@/components/ui/icons";
import { Time } from "@/components/ui/time";
import { ApproverGapNotice } from "./approver-gap-notice";
import { ConnectSnippets } from "./connect-snippets";
import type { Onboarding, OnboardingStep } from "./types";

export type ChecklistPermissions = { agents: boolean; policies: boolean; settings: boolean; members: boolean };

const ORDER: OnboardingStep[] = ["agent", "credential", "tool", "rule", "call"];
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
// While steps are open, the list re-reads what exists so it ticks as things happen elsewhere (an agent's first call).
const POLL_MS = 5_000;

type StepView = { title: string; body: React.ReactNode; status: React.ReactNode; actions: { label: string; href: string }[] };

function stepViews(o: Onboarding, slug: string, can: ChecklistPermissions): Record<OnboardingStep, StepView> {
  const t = `/t/${slug}`;
  const only = <T,>(allowed: boolean, items: T[]) => (allowed ? items : []);
  return {
    agent: {
      title: "Register an agent",
      body: "Each agent gets its own identity and client id, an owner and labels that rules can name.",
      status: o.done.agent ? `${plural(o.counts.agents, "agent")} registered` : null,
      actions: only(can.agents, [{ label: "Register an agent", href: `${t}/agents/new` }]),
    },
    credential: {
      title: "Create its credential",
      body: "A client secret (shown once), a public key or a workload identity. The agent trades it for short-lived tokens; no other endpoint accepts it.",
      status: o.done.credential && o.agent ? `${o.agent.name} has a live credential` : null,
      actions: o.agent ? [{ label: o.done.credential ? `Open ${o.agent.name}` : `Add a credential to ${o.agent.name}`, href: `${t}/agents/${o.agent.id}` }] : [],
    },
    tool: {
      title: "Connect a tool",
      body: "Register the tool and its operations, store its API key in the vault (a connection) and give the tool an upstream that uses it. Gatehouse then makes the calls; the agent never holds the key.",
      status: o.enforcedTool ? `${o.enforcedTool.name} goes through the gateway` : `${plural(o.counts.tools, "tool")}, ${plural(o.counts.connections, "active connection")}`,
      actions: [...only(can.policies, [{ label: "Tool registry", href: `${t}/policies/tools` }]), ...only(can.settings, [{ label: "Connections", href: `${t}/settings/connections` }])],
    },
    rule: {
      title: "Publish a rule",
      body: "Nothing is allowed until a published rule permits it: which agents, which operations, with which arguments, and whether a human approves.",
      status: o.done.rule ? `${plural(o.counts.permitRules, "permit rule")} published` : null,
      actions: [{ label: can.policies ? "Write a rule" : "Policies", href: `${t}/policies` }],
    },
    call: {
      title: "Make the first call",
      body: "Point the agent at Gatehouse with one of the snippets below: a token, then a call through the gateway or the MCP endpoint. Each call is decided and recorded.",
      status: o.lastCall ? (
        <>
          Last call: <span className="font-mono">{o.lastCall.tool} {o.lastCall.operation}</span> ({o.lastCall.outcome.replace("_", " ")}), <Time value={o.lastCall.at} />
        </>
      ) : (
        "Waiting for the first call…"
      ),
      actions: [o.lastCall?.runPageId ? { label: "Open its run", href: `${t}/runs/${o.lastCall.runPageId}` } : { label: "Runs", href: `${t}/runs` }],
    },
  };
}

function dismissKey(slug: string) {
  return `gatehouse.onboarding.dismissed.${slug}`;
}

/**
 * A new tenant's path from sign-up to the first governed call. Each step ticks from what
 * really exists (lib/onboarding); once all are done the card collapses to "All set" and
 * can be dismissed (remembered in this browser).
 */
export function FirstRunChecklist({ slug, initial, now, can }: { slug: string; initial: Onboarding; now: number; can: ChecklistPermissions }) {
  const query = useQuery({
    queryKey: ["onboarding", slug],
    queryFn: () => consoleApi("GET", "/t/[tenant]/onboarding", { params: { tenant: slug } }),
    initialData: initial,
    initialDataUpdatedAt: now,
    refetchInterval: (q) => (q.state.data?.complete ? false : POLL_MS),
  });
  const o = query.data;
  const [expanded, setExpanded] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  useEffect(() => {
    setDismissed(window.localStorage.getItem(dismissKey(slug)) === "1");
  }, [slug]);

  const views = stepViews(o, slug, can);
  const doneCount = ORDER.filter((s) => o.done[s]).length;
  const next = ORDER.find((s) => !o.done[s]);
  const membersHref = can.members ? `/t/${slug}/settings/members` : null;

  if (o.complete && dismissed) return null;
  if (o.complete && !expanded) {
    return (
      <section aria-label="Getting started" data-testid="onboarding" className="mb-6 flex flex-wrap items-center gap-3 rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-2.5 text-sm text-emerald-950">
        <Icons.check className="h-4 w-4 text-emerald-600" />
        <p className="flex-1">
          <span className="font-semibold">All set.</span> Your agents&apos; calls are decided and recorded by Gatehouse.
        </p>
        <Button size="sm" variant="secondary" onClick={() => setExpanded(true)}>
          Show setup and snippets
        </Button>
        <Button
          size="sm"
          variant="ghost"
          onClick={() => {
            window.localStorage.setItem(dismissKey(slug), "1");
            setDismissed(true);
          }}
        >
          Dismiss
        </Button>
      </section>
    );
  }

  return (
    <section aria-labelledby="onboarding-title" data-testid="onboarding" className="mb-6 rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
        <div>
          <h2 id="onboarding-title" className="text-sm font-semibold text-slate-900">
            {o.complete ? "All set" : "Get to the first governed call"}
          </h2>
          <p className="text-xs text-slate-600">Five steps; each ticks itself when it is done, wherever it was done.</p>
        </div>
        <div className="flex items-center gap-3">
          <div className="text-xs text-slate-600" data-testid="onboarding-progress">
            {doneCount} of {ORDER.length} done
          </div>
          <div className="h-1.5 w-28 overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-label="Setup progress" aria-valuemin={0} aria-valuemax={ORDER.length} aria-valuenow={doneCount}>
            <div className="h-full bg-emerald-500" style={{ width: `${(doneCount / ORDER.length) * 100}%` }} />
          </div>
          {o.complete ? (
            <Button size="sm" variant="ghost" onClick={() => setExpanded(false)}>
              Collapse
            </Button>
          ) : null}
        </div>
      </header>
      <div className="space-y-4 p-4">
        <ol className="space-y-3">
          {ORDER.map((step, i) => {
            const v = views[step];
            const done = o.done[step];
            return (
              <li key={step} data-testid={`onboarding-step-${step}`} data-done={done ? "true" : "false"} className="flex gap-3">
                <span
                  className={cx(
                    "mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold",
                    done ? "bg-emerald-500 text-white" : step === next ? "bg-brand-600 text-white" : "bg-slate-100 text-slate-600",
                  )}
                  aria-hidden
                >
                  {done ? <Icons.check className="h-3.5 w-3.5" /> : i + 1}
                </span>
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-baseline gap-x-2">
                    <h3 className={cx("text-sm font-medium", done ? "text-slate-600" : "text-slate-900")}>{v.title}</h3>
                    <span className="text-xs font-medium">{done ? <span className="text-emerald-700">Done</span> : <span className="text-slate-500">To do</span>}</span>
                  </div>
                  {!done || step === "call" ? <p className="mt-0.5 text-sm text-slate-600">{v.body}</p> : null}
                  {v.status ? <p className="mt-0.5 text-xs text-slate-500">{v.status}</p> : null}
                  {v.actions.length && (!done || step === "call") ? (
                    <div className="mt-1.5 flex flex-wrap gap-2">
                      {v.actions.map((a) => (
                        <Link key={a.href} href={a.href} className={buttonClass(step === next ? "primary" : "secondary", "sm")}>
                          {a.label}
                        </Link>
                      ))}
                    </div>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ol>

        <ApproverGapNotice gap={o.approverGap} membersHref={membersHref} />

        <div className="space-y-2">
          <h3 className="text-sm font-medium text-slate-900">Connect {o.agent ? <span className="font-mono">{o.agent.name}</span> : "your agent"}</h3>
          <p className="text-xs text-slate-600">
            Base URL <code className="font-mono text-slate-900">{o.baseUrl ?? "not configured"}</code>
            {o.agent ? (
              <>
                {" "}
                · client id <code className="font-mono text-slate-900">{o.agent.id}</code> · tokens last {plural(Math.round(o.agent.tokenTtlSeconds / 60), "minute")}
              </>
            ) : null}
            {o.baseUrl ? null : " (set PUBLIC_URL to the address agents use; the snippets show a placeholder until then)"}
          </p>
          {o.agent ? <ConnectSnippets snippets={o.snippets} /> : <p className="text-sm text-slate-500">The snippets appear here, filled in with the agent&apos;s client id, once an agent is registered.</p>}
        </div>
      </div>
    </section>
  );
}
