"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { ApiError, consoleApi, type ConsoleAnswer } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field, Input } from "@/components/ui/field";
import { Icons } from "@/components/ui/icons";
import { Card, EmptyState } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { EffectBadge, ShadowBadge, TierBadge } from "./badges";
import { ChangesList, changesSummary } from "./changes-list";
import { FIELD_LABEL, approvalText, conditionTexts, newRuleId, normalizeRule, plural, whoText } from "./describe";
import { RuleDialog } from "./rule-form";
import type { PolicyState, Registry, Rule, RuleProblem } from "./types";
import { usePolicyState, useSeededQuery } from "./queries";

type Editing = { rule: Rule; isNew: boolean };
type Published = ConsoleAnswer<"POST", "/t/[tenant]/policy/publish">;

function isProblemList(details: unknown): details is RuleProblem[] {
  return Array.isArray(details) && details.every((d) => d && typeof d === "object" && "field" in d && "message" in d && "ruleId" in d);
}

/**
 * The allowlist draft: rules as a dense table, a modal form to add or edit one, the
 * draft's diff against the published version and publishing. Every rule save writes the
 * whole draft (PUT); the server keeps it even with problems and says where they are.
 */
export function AllowlistEditor({
  slug,
  initialPolicy,
  initialRegistry,
  initialProblems,
  canManage,
  now,
}: {
  slug: string;
  initialPolicy: PolicyState;
  initialRegistry: Registry;
  initialProblems: RuleProblem[];
  canManage: boolean;
  now: number;
}) {
  const queryClient = useQueryClient();
  const params = { tenant: slug };
  const policyKey = ["policy", slug];
  const policy = usePolicyState(slug, initialPolicy, now);
  const registryQuery = useSeededQuery(["policy-registry", slug], () => consoleApi("GET", "/t/[tenant]/policy/registry", { params }), initialRegistry, now);
  const registry = registryQuery.data;
  const rules = useMemo(() => policy.draft.map(normalizeRule), [policy.draft]);

  const [problems, setProblems] = useState<RuleProblem[]>(initialProblems);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [published, setPublished] = useState<Published | null>(null);
  const [note, setNote] = useState("");
  const [confirmPublish, setConfirmPublish] = useState(false);
  const [filter, setFilter] = useState("");

  const agentNames = useMemo(() => new Map(registry.agents.map((a) => [a.id, a.name])), [registry.agents]);
  const agentName = (id: string) => agentNames.get(id) ?? id;
  const problemsOf = (ruleId: string) => problems.filter((p) => p.ruleId === ruleId);
  const generalProblems = problems.filter((p) => p.ruleId === null || !rules.some((r) => r.id === p.ruleId));
  const changeOf = new Map(policy.changes.map((c) => [c.kind === "changed" ? c.after.id : c.rule.id, c.kind]));

  const saveDraft = useMutation({
    mutationFn: (next: Rule[]) => consoleApi("PUT", "/t/[tenant]/policy/draft", { params, body: { rules: next } }),
    onSuccess: (result, next) => {
      setProblems(result.problems);
      queryClient.setQueryData<PolicyState>(policyKey, (old) => (old ? { ...old, draft: next } : old));
      return queryClient.invalidateQueries({ queryKey: policyKey });
    },
  });

  async function saveRule(rule: Rule) {
    if (!editing) return;
    const exists = rules.some((r) => r.id === rule.id);
    const next = exists ? rules.map((r) => (r.id === rule.id ? rule : r)) : [...rules, rule];
    setNotice(null);
    setPublished(null);
    const result = await saveDraft.mutateAsync(next);
    if (result.problems.some((p) => p.ruleId === rule.id || p.ruleId === null)) {
      // Saved, with problems: keep the form open on the saved rule, problems at their fields.
      setEditing({ rule, isNew: false });
    } else {
      setEditing(null);
      setNotice(`Rule “${rule.name}” saved to the draft. Publish to enforce it.`);
    }
  }

  const publish = useMutation({
    mutationFn: () => consoleApi("POST", "/t/[tenant]/policy/publish", { params, body: note.trim() ? { note: note.trim() } : {} }),
    onSuccess: (result) => {
      setPublished(result);
      setNotice(null);
      setNote("");
      setProblems([]);
      return Promise.all([queryClient.invalidateQueries({ queryKey: policyKey }), queryClient.invalidateQueries({ queryKey: ["policy-capabilities", slug] })]);
    },
  });

  async function confirmAndPublish() {
    try {
      await publish.mutateAsync();
    } catch (e) {
      if (e instanceof ApiError && e.code === "validation_failed" && isProblemList(e.details)) {
        setProblems(e.details);
        throw new Error(`Not published: the draft has ${plural(e.details.length, "problem")}. They are shown at their rules.`);
      }
      throw e;
    }
  }

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!needle) return rules;
    return rules.filter((r) =>
      [r.name, r.tool, ...r.operations, ...r.groups, ...r.agents.map((id) => agentNames.get(id) ?? id), ...conditionTexts(r)].some((s) => s.toLowerCase().includes(needle)),
    );
  }, [rules, filter, agentNames]);

  const publishedVersion = policy.published?.version ?? null;
  const nothingToPublish = policy.changes.length === 0;
  const blocked = problems.length > 0;
  const noTools = registry.tools.length === 0;

  function openNew() {
    setNotice(null);
    setPublished(null);
    setEditing({ rule: normalizeRule({ id: newRuleId(), name: "", operations: [] }), isNew: true });
  }

  const addButton = canManage ? (
    <Button onClick={openNew} disabled={noTools} title={noTools ? "Register a tool first" : undefined}>
      Add rule
    </Button>
  ) : null;

  return (
    <div className="space-y-5">
      {published ? (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-inset ring-emerald-200" data-testid="publish-result">
          Published version {published.version} — {published.summary}. Agents&apos; decisions follow it within a second.{" "}
          <Link href={`/t/${slug}/policies/versions/${published.version}`} className="font-medium underline">
            View version {published.version}
          </Link>
        </p>
      ) : null}
      {notice ? (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-inset ring-emerald-200">
          {notice}
        </p>
      ) : null}
      {!nothingToPublish ? (
        <div className="flex flex-wrap items-center justify-between gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-inset ring-amber-200" data-testid="draft-status">
          <span>
            <strong>Unpublished draft:</strong> {changesSummary(policy.changes).toLowerCase()} since {publishedVersion ? `version ${publishedVersion}` : "nothing was published"}
            {policy.draftUpdatedAt ? (
              <>
                {" "}
                · saved <Time value={policy.draftUpdatedAt} />
              </>
            ) : null}
            . Agents are still decided by {publishedVersion ? `version ${publishedVersion}` : "default deny"}.
          </span>
          <a href="#publish" className="font-medium underline">
            Review and publish
          </a>
        </div>
      ) : null}
      {noTools ? (
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700 ring-1 ring-inset ring-slate-200">
          Rules name tools and operations from the{" "}
          <Link href={`/t/${slug}/policies/tools`} className="font-medium underline">
            tool registry
          </Link>
          , which is empty: register a tool first.
        </p>
      ) : null}
      {generalProblems.length ? (
        <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-inset ring-red-200">
          <div className="font-medium">The draft has problems the validator could not tie to one rule:</div>
          <ul className="mt-1 list-disc pl-5 text-xs">
            {generalProblems.map((p, i) => (
              <li key={i}>
                <span className="font-mono">{p.field}</span>: {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <section aria-labelledby="rules-title" className="space-y-3">
        <div className="flex flex-wrap items-center gap-2">
          <h2 id="rules-title" className="text-sm font-semibold text-slate-900">
            Allowlist rules <span className="font-normal text-slate-500">· {rules.length} in the draft</span>
          </h2>
          <div className="ml-auto flex items-center gap-2">
            {rules.length > 5 ? (
              <div className="w-64">
                <Input type="search" aria-label="Filter rules" placeholder="Rule, tool, agent, group…" value={filter} onChange={(e) => setFilter(e.target.value)} />
              </div>
            ) : null}
            {rules.length > 0 ? addButton : null}
          </div>
        </div>

        {rules.length === 0 ? (
          <EmptyState icon={<Icons.policies className="h-8 w-8" />} title="No rules: every agent action is denied" action={addButton}>
            Write a rule for each thing an agent may do: which agents, which tool operations, under what conditions, and whether a person approves it first.
            {canManage ? null : " Ask an owner or admin to write one."}
          </EmptyState>
        ) : (
          <Table label="Allowlist rules">
            <thead>
              <tr>
                <Th>Rule</Th>
                <Th>Who</Th>
                <Th>Tool · operations</Th>
                <Th>Conditions</Th>
                <Th>Approval</Th>
                <Th>Effect</Th>
                {canManage ? (
                  <Th className="text-right">
                    <span className="sr-only">Actions</span>
                  </Th>
                ) : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {shown.length === 0 ? (
                <tr>
                  <Td colSpan={canManage ? 7 : 6} className="py-6 text-center text-slate-500">
                    No rules match this filter.
                  </Td>
                </tr>
              ) : (
                shown.map((rule) => {
                  const ruleProblems = problemsOf(rule.id);
                  const change = changeOf.get(rule.id);
                  const conditions = conditionTexts(rule);
                  return (
                    <RuleRows key={rule.id} problems={ruleProblems} colSpan={canManage ? 7 : 6}>
                      <tr data-rule-id={rule.id} className={ruleProblems.length ? "bg-red-50/40" : undefined}>
                        <Td className={ruleProblems.length ? "border-l-2 border-red-400" : undefined}>
                          <div className="flex flex-wrap items-center gap-1.5">
                            <span className="font-medium text-slate-900">{rule.name || <span className="italic text-slate-400">unnamed</span>}</span>
                            {rule.mode === "shadow" ? <ShadowBadge /> : null}
                            {change === "added" ? (
                              <span title="Not published yet">
                                <Badge tone="brand">new</Badge>
                              </span>
                            ) : change === "changed" ? (
                              <span title="Changed since the published version">
                                <Badge tone="brand">edited</Badge>
                              </span>
                            ) : null}
                          </div>
                          <div className="font-mono text-[11px] text-slate-400">{rule.id}</div>
                        </Td>
                        <Td className="max-w-[12rem]">
                          {rule.agents.length + rule.groups.length === 0 ? (
                            <span className="text-slate-900">{whoText(rule, agentName)}</span>
                          ) : (
                            <span className="font-mono text-xs">
                              {[...rule.agents.map(agentName), ...rule.groups.map((g) => `group ${g}`)].map((who, i) => (
                                <span key={i} className="whitespace-nowrap">
                                  {i > 0 ? ", " : null}
                                  {who}
                                </span>
                              ))}
                            </span>
                          )}
                        </Td>
                        <Td className="max-w-[16rem]">
                          <span className="font-mono text-xs text-slate-900">{rule.tool}</span> <span className="text-slate-400">·</span>{" "}
                          <span className="font-mono text-xs">{rule.operations.includes("*") ? <span className="font-sans italic text-slate-600">all operations</span> : rule.operations.join(", ")}</span>
                        </Td>
                        <Td className="max-w-[18rem] text-xs">
                          {conditions.length === 0 ? (
                            <span className="text-slate-400">none</span>
                          ) : (
                            <ul className="space-y-0.5">
                              {conditions.map((c, i) => (
                                <li key={i} className="font-mono">
                                  {c}
                                </li>
                              ))}
                            </ul>
                          )}
                        </Td>
                        <Td>
                          {rule.effect === "permit" ? (
                            <span title={approvalText(rule.approval)} className="flex flex-col items-start gap-0.5">
                              <TierBadge tier={rule.approval.tier} />
                              {rule.approval.tier === "threshold" ? (
                                <span className="font-mono text-[11px] text-slate-500">
                                  {rule.approval.arg} &gt; {rule.approval.above}
                                </span>
                              ) : null}
                            </span>
                          ) : (
                            <span className="text-slate-400">—</span>
                          )}
                        </Td>
                        <Td>
                          <EffectBadge effect={rule.effect} />
                        </Td>
                        {canManage ? (
                          <Td className="whitespace-nowrap text-right">
                            <Button variant="ghost" size="sm" onClick={() => setEditing({ rule, isNew: false })} aria-label={`Edit ${rule.name || rule.id}`}>
                              Edit
                            </Button>
                            <Button
                              variant="ghost"
                              size="sm"
                              aria-label={`Duplicate ${rule.name || rule.id}`}
                              onClick={() => setEditing({ rule: { ...rule, id: newRuleId(), name: `Copy of ${rule.name}`.slice(0, 120) }, isNew: true })}
                            >
                              Duplicate
                            </Button>
                            <Button variant="ghost" size="sm" className="text-red-700!" aria-label={`Delete ${rule.name || rule.id}`} onClick={() => setDeleting(rule)}>
                              Delete
                            </Button>
                          </Td>
                        ) : null}
                      </tr>
                    </RuleRows>
                  );
                })
              )}
            </tbody>
          </Table>
        )}
      </section>

      <div id="publish" className="grid scroll-mt-4 gap-4 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Card title={publishedVersion ? `Changes since version ${publishedVersion}` : "Draft changes (nothing published yet)"}>
            {!publishedVersion && rules.length === 0 ? (
              <p className="text-sm text-slate-500">Nothing published yet, and the draft is empty: every agent action is denied.</p>
            ) : (
              <ChangesList changes={policy.changes} agentName={agentName} label="Draft changes" />
            )}
          </Card>
        </div>
        <Card title="Publish">
          {canManage ? (
            <form
              className="space-y-3"
              aria-label="Publish the draft"
              onSubmit={(e) => {
                e.preventDefault();
                if (!blocked && !nothingToPublish) setConfirmPublish(true);
              }}
            >
              <Field label="Note (optional)" hint="Why this change; it heads the version's summary.">
                {(id) => <Input id={id} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} autoComplete="off" disabled={nothingToPublish} />}
              </Field>
              <Button type="submit" disabled={blocked || nothingToPublish || publish.isPending} className="w-full">
                {publishedVersion ? `Publish version ${publishedVersion + 1}…` : "Publish version 1…"}
              </Button>
              <p className="text-xs text-slate-500">
                {blocked
                  ? `Fix ${plural(problems.length, "problem")} first: they are marked at their rules.`
                  : nothingToPublish
                    ? publishedVersion
                      ? `Nothing to publish: the draft matches version ${publishedVersion}.`
                      : "Nothing to publish: add a rule first."
                    : "Run a backtest first to see what the draft would change for recorded actions."}
              </p>
              <Link href={`/t/${slug}/policies/backtest`} className="block text-xs font-medium text-brand-700 hover:underline">
                Backtest the draft →
              </Link>
            </form>
          ) : (
            <p className="text-sm text-slate-600">Only owners and admins edit and publish policies.</p>
          )}
        </Card>
      </div>

      {editing ? (
        <RuleDialog
          key={editing.rule.id}
          rule={editing.rule}
          isNew={editing.isNew}
          registry={registry}
          serverProblems={editing.isNew ? [] : problemsOf(editing.rule.id)}
          onSave={saveRule}
          onClose={() => setEditing(null)}
        />
      ) : null}

      <ConfirmDialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        title="Delete rule?"
        confirmLabel="Delete rule"
        onConfirm={async () => {
          if (!deleting) return;
          setNotice(null);
          setPublished(null);
          await saveDraft.mutateAsync(rules.filter((r) => r.id !== deleting.id));
          setNotice(`Rule “${deleting.name}” deleted from the draft. Publish to stop enforcing it.`);
        }}
      >
        <p>
          <strong>{deleting?.name}</strong> is removed from the draft. Agents keep the published version until you publish.
        </p>
      </ConfirmDialog>

      <ConfirmDialog
        open={confirmPublish}
        onClose={() => setConfirmPublish(false)}
        tone="primary"
        title={`Publish version ${(publishedVersion ?? 0) + 1}?`}
        confirmLabel="Publish"
        onConfirm={confirmAndPublish}
      >
        <div className="space-y-2">
          <p>
            {changesSummary(policy.changes)}. Every agent&apos;s decisions follow the new version within a second; you can roll back to any version.
          </p>
          <ul className="max-h-48 space-y-0.5 overflow-y-auto text-xs" aria-label="Changes to publish">
            {policy.changes.map((c) => {
              const rule = c.kind === "changed" ? c.after : c.rule;
              return (
                <li key={`${c.kind}-${rule.id}`}>
                  <span className={c.kind === "added" ? "text-emerald-700" : c.kind === "removed" ? "text-red-700" : "text-amber-700"}>{c.kind}</span> {rule.name}
                  {c.kind === "changed" ? <span className="text-slate-500"> ({c.fields.map((f) => FIELD_LABEL[f.field] ?? f.field).join(", ")})</span> : null}
                </li>
              );
            })}
          </ul>
          {note.trim() ? (
            <p className="text-xs">
              Note: <span className="text-slate-900">{note.trim()}</span>
            </p>
          ) : null}
        </div>
      </ConfirmDialog>
    </div>
  );
}

/** A rule's row, followed by a row with its problems when it has any. */
function RuleRows({ children, problems, colSpan }: { children: React.ReactNode; problems: RuleProblem[]; colSpan: number }) {
  return (
    <>
      {children}
      {problems.length ? (
        <tr className="bg-red-50/40">
          <td colSpan={colSpan} className="border-l-2 border-red-400 px-3 pb-2 pt-0">
            <ul className="space-y-0.5 text-xs text-red-700" data-testid="rule-problems">
              {problems.map((p, i) => (
                <li key={i}>
                  <span className="font-medium">{FIELD_LABEL[p.field.split(".")[0] ?? ""] ?? p.field}:</span> {p.message}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      ) : null}
    </>
  );
}
