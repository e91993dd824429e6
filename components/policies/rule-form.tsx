"use client";

import { useEffect, useId, useMemo, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { cx } from "@/components/ui/cx";
import { Field, FormError, Input, Select, inputClass } from "@/components/ui/field";
import { GROUP_NAME } from "@/lib/approvals/schemas";
import { RiskBadge } from "./badges";
import { CONSTRAINT_LABEL, DAY_SHORT, TIER_LABEL } from "./describe";
import type { ApprovalTier, Constraint, ConstraintOp, Registry, RegistryArg, Rule, RuleProblem } from "./types";

type ConstraintRow = { key: number; arg: string; op: ConstraintOp; value: string; values: string; min: string; max: string; glob: string };
type DestinationRow = { key: number; arg: string; hosts: string };

type FormState = {
  name: string;
  effect: Rule["effect"];
  shadow: boolean;
  everyone: boolean;
  agents: string[];
  groups: string[];
  tool: string;
  allOperations: boolean;
  operations: string[];
  resources: string;
  constraints: ConstraintRow[];
  destinations: DestinationRow[];
  windowOn: boolean;
  days: number[];
  start: string;
  end: string;
  tier: ApprovalTier;
  thresholdArg: string;
  above: string;
  expires: string;
  /** Approver groups that must all sign (comma-separated), and escalation. */
  approvalGroups: string;
  escalateAfter: string;
  escalateTo: string;
  cedar: string;
};

/** Problems keyed by where the form shows them: "name", "who", "constraints.2", "cedar", … ("form" for the rest). */
type Problems = Map<string, string[]>;

const OPS: ConstraintOp[] = ["equals", "one_of", "range", "max", "pattern", "forbidden"];
const OPS_BY_TYPE: Record<string, ConstraintOp[]> = {
  Long: ["equals", "one_of", "range", "max", "forbidden"],
  String: ["equals", "one_of", "pattern", "forbidden"],
  Boolean: ["equals", "forbidden"],
};
const WEEK = [1, 2, 3, 4, 5, 6, 0]; // shown Monday first; values are Cedar's (0 = Sunday, UTC)

let rowKey = 0;
const nextKey = () => ++rowKey;

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

function scalarText(v: unknown): string {
  return typeof v === "string" ? v : String(v);
}

function toForm(rule: Rule): FormState {
  const a = rule.approval;
  return {
    name: rule.name,
    effect: rule.effect,
    shadow: rule.mode === "shadow",
    everyone: rule.agents.length === 0 && rule.groups.length === 0,
    agents: rule.agents,
    groups: rule.groups,
    tool: rule.tool,
    allOperations: rule.operations.includes("*"),
    operations: rule.operations.filter((o) => o !== "*"),
    resources: rule.resources.join("\n"),
    constraints: rule.constraints.map((c) => ({
      key: nextKey(),
      arg: c.arg,
      op: c.op,
      value: c.op === "equals" || c.op === "max" ? scalarText(c.value) : "",
      values: c.op === "one_of" ? c.values.map(scalarText).join(", ") : "",
      min: c.op === "range" ? String(c.min) : "",
      max: c.op === "range" ? String(c.max) : "",
      glob: c.op === "pattern" ? c.glob : "",
    })),
    destinations: rule.destinations.map((d) => ({ key: nextKey(), arg: d.arg, hosts: d.hosts.join(", ") })),
    windowOn: rule.timeWindow !== null,
    days: rule.timeWindow?.days ?? [1, 2, 3, 4, 5],
    start: rule.timeWindow?.start ?? "09:00",
    end: rule.timeWindow?.end ?? "17:00",
    tier: a.tier,
    thresholdArg: a.tier === "threshold" ? a.arg : "",
    above: a.tier === "threshold" ? String(a.above) : "",
    expires: "expiresInMinutes" in a && a.expiresInMinutes ? String(a.expiresInMinutes) : "60",
    approvalGroups: a.tier !== "autonomous" ? (a.groups ?? []).join(", ") : "",
    escalateAfter: a.tier !== "autonomous" && a.escalateAfterMinutes ? String(a.escalateAfterMinutes) : "",
    escalateTo: a.tier !== "autonomous" ? (a.escalateTo ?? "") : "",
    cedar: rule.cedar,
  };
}

const INTEGER = /^-?\d+$/;

/** A typed value for an argument of Cedar type `type` (Long, String, Boolean; sets check their elements). */
function parseScalar(text: string, type: string | undefined): { value: string | number | boolean } | { error: string } {
  const t = type?.startsWith("Set<") ? type.slice(4, -1) : type;
  const trimmed = text.trim();
  if (t === "Long") return INTEGER.test(trimmed) ? { value: Number(trimmed) } : { error: "Enter a whole number." };
  if (t === "Boolean") return trimmed === "true" || trimmed === "false" ? { value: trimmed === "true" } : { error: "Enter true or false." };
  return trimmed === "" ? { error: "Enter a value." } : { value: text };
}

function addProblem(problems: Problems, key: string, message: string) {
  problems.set(key, [...(problems.get(key) ?? []), message]);
}

/** The form as a rule, or the problems that keep it from being one (the server checks the rest). */
function toRule(id: string, f: FormState, argType: (name: string) => string | undefined): { rule: Rule; problems: Problems } {
  const problems: Problems = new Map();
  if (!f.name.trim()) addProblem(problems, "name", "Name the rule.");
  if (!f.tool) addProblem(problems, "tool", "Choose a tool.");
  if (!f.everyone && f.agents.length === 0 && f.groups.length === 0) addProblem(problems, "who", "Choose at least one agent or group, or all agents.");
  if (f.tool && !f.allOperations && f.operations.length === 0) addProblem(problems, "operations", "Choose at least one operation, or all of them.");

  const constraints: Constraint[] = [];
  f.constraints.forEach((row, i) => {
    const key = `constraints.${i}`;
    if (!row.arg) return addProblem(problems, key, "Choose an argument.");
    const type = argType(row.arg);
    const int = (text: string, label: string) => {
      if (!INTEGER.test(text.trim())) {
        addProblem(problems, key, `${label}: enter a whole number.`);
        return 0;
      }
      return Number(text.trim());
    };
    switch (row.op) {
      case "equals": {
        const parsed = parseScalar(row.value, type);
        if ("error" in parsed) return addProblem(problems, key, parsed.error);
        constraints.push({ op: "equals", arg: row.arg, value: parsed.value });
        return;
      }
      case "one_of": {
        const parts = lines(row.values).map((v) => parseScalar(v, type));
        const bad = parts.find((p) => "error" in p);
        if (parts.length === 0) return addProblem(problems, key, "Enter at least one value, separated by commas.");
        if (bad && "error" in bad) return addProblem(problems, key, bad.error);
        constraints.push({ op: "one_of", arg: row.arg, values: parts.map((p) => ("value" in p ? p.value : "")) });
        return;
      }
      case "range": {
        const min = int(row.min, "From");
        const max = int(row.max, "To");
        if (!problems.has(key) && min > max) return addProblem(problems, key, "The range must not end below its start.");
        constraints.push({ op: "range", arg: row.arg, min, max });
        return;
      }
      case "max":
        constraints.push({ op: "max", arg: row.arg, value: int(row.value, "At most") });
        return;
      case "pattern":
        if (!row.glob.trim()) return addProblem(problems, key, "Enter a pattern, e.g. acme/*.");
        constraints.push({ op: "pattern", arg: row.arg, glob: row.glob.trim() });
        return;
      case "forbidden":
        constraints.push({ op: "forbidden", arg: row.arg });
        return;
    }
  });

  const destinations: Rule["destinations"] = [];
  f.destinations.forEach((row, i) => {
    const hosts = lines(row.hosts);
    if (!row.arg) addProblem(problems, `destinations.${i}`, "Choose the URL argument.");
    else if (hosts.length === 0) addProblem(problems, `destinations.${i}`, "Enter at least one host, e.g. hooks.slack.com or *.example.com.");
    else destinations.push({ arg: row.arg, hosts });
  });

  if (f.windowOn && f.days.length === 0) addProblem(problems, "timeWindow", "Choose at least one day.");

  const expires = Number(f.expires.trim() || "60");
  const expiresOk = Number.isInteger(expires) && expires >= 1 && expires <= 7 * 24 * 60;
  let approval: Rule["approval"] = { tier: "autonomous" };
  if (f.effect === "permit" && f.tier !== "autonomous") {
    if (!expiresOk) addProblem(problems, "approval", "Approval requests expire after 1 to 10080 minutes.");
    if (f.tier === "threshold") {
      if (!f.thresholdArg) addProblem(problems, "approval", "Choose the argument the threshold applies to.");
      if (!INTEGER.test(f.above.trim())) addProblem(problems, "approval", "Enter the threshold as a whole number.");
      approval = { tier: "threshold", arg: f.thresholdArg, above: Number(f.above.trim()), expiresInMinutes: expires };
    } else approval = { tier: f.tier, expiresInMinutes: expires };
    // Approver groups (AND) and escalation: optional, left out when empty so rules stay as they were.
    const groups = [...new Set(lines(f.approvalGroups.toLowerCase()))];
    const badGroup = groups.find((g) => !GROUP_NAME.test(g));
    if (badGroup) addProblem(problems, "approvalGroups", `"${badGroup}": group names are lower-case letters, digits, - and _.`);
    if (groups.length && approval.tier !== "autonomous") approval = { ...approval, groups };
    const escalateTo = f.escalateTo.trim().toLowerCase();
    const escalateAfter = f.escalateAfter.trim();
    if (escalateTo || escalateAfter) {
      const minutes = Number(escalateAfter);
      if (!escalateTo || !escalateAfter) addProblem(problems, "escalation", "Escalation needs both a time and a group.");
      else if (!GROUP_NAME.test(escalateTo)) addProblem(problems, "escalation", "Group names are lower-case letters, digits, - and _.");
      else if (!Number.isInteger(minutes) || minutes < 1) addProblem(problems, "escalation", "Escalate after a whole number of minutes.");
      else if (expiresOk && minutes >= expires) addProblem(problems, "escalation", "Escalate before the request expires.");
      else if (approval.tier !== "autonomous") approval = { ...approval, escalateAfterMinutes: minutes, escalateTo };
    }
  }

  const rule: Rule = {
    id,
    name: f.name.trim(),
    effect: f.effect,
    mode: f.shadow ? "shadow" : "enforce",
    agents: f.everyone ? [] : f.agents,
    groups: f.everyone ? [] : f.groups,
    tool: f.tool,
    operations: f.allOperations ? ["*"] : f.operations,
    resources: lines(f.resources),
    constraints,
    destinations,
    timeWindow: f.windowOn ? { days: [...f.days].sort((a, b) => a - b), start: f.start.trim(), end: f.end.trim() } : null,
    approval,
    cedar: f.cedar.trim(),
  };
  return { rule, problems };
}

/** Where a server problem's field ("constraints.1.value", "approval.above", "agents") shows in the form. */
function placeOf(field: string): string {
  const [head, index] = field.split(".");
  switch (head) {
    case "name":
    case "tool":
    case "operations":
    case "resources":
    case "timeWindow":
    case "approval":
    case "cedar":
    case "conditions":
      return head;
    case "effect":
    case "mode":
      return "effect";
    case "agents":
    case "groups":
      return "who";
    case "constraints":
    case "destinations":
      return index !== undefined && /^\d+$/.test(index) ? `${head}.${index}` : head;
    default:
      return "form";
  }
}

function ProblemText({ messages, id }: { messages?: string[]; id?: string }) {
  if (!messages?.length) return null;
  return (
    <div id={id} role="alert" className="space-y-0.5 text-xs text-red-600">
      {messages.map((m, i) => (
        <p key={i}>{m}</p>
      ))}
    </div>
  );
}

function Section({ title, hint, children }: { title: string; hint?: React.ReactNode; children: React.ReactNode }) {
  return (
    <fieldset className="space-y-2.5 border-t border-slate-200 pt-3">
      <legend className="float-left mb-1 w-full text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</legend>
      {hint ? <p className="clear-both text-xs text-slate-500">{hint}</p> : null}
      <div className="clear-both space-y-2.5">{children}</div>
    </fieldset>
  );
}

function Check({ label, checked, onChange, children, disabled }: { label: React.ReactNode; checked: boolean; onChange: (v: boolean) => void; children?: React.ReactNode; disabled?: boolean }) {
  return (
    <label className={cx("flex items-center gap-2 text-sm text-slate-800", disabled && "opacity-60")}>
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} disabled={disabled} className="h-3.5 w-3.5 rounded border-slate-300" />
      <span className="min-w-0">{label}</span>
      {children}
    </label>
  );
}

/**
 * The rule editor, in a modal dialog (Escape closes it, Enter in a field saves). It builds
 * a rule from registry choices: who, tool and operations, conditions, approval tier, effect
 * and mode, and an optional raw Cedar condition. Saving writes the whole draft; problems
 * the server finds (registry, Cedar validator) come back and show at their field.
 */
export function RuleDialog({
  rule,
  isNew,
  registry,
  serverProblems,
  onSave,
  onClose,
}: {
  rule: Rule;
  isNew: boolean;
  registry: Registry;
  serverProblems: RuleProblem[];
  onSave: (rule: Rule) => Promise<void>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [form, setForm] = useState<FormState>(() => toForm(rule));
  const [localProblems, setLocalProblems] = useState<Problems>(new Map());
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  const tool = registry.tools.find((t) => t.name === form.tool);
  const chosenOps = useMemo(() => (tool ? (form.allOperations ? tool.operations : tool.operations.filter((o) => form.operations.includes(o.name))) : []), [tool, form.allOperations, form.operations]);
  // The arguments of the chosen operations (first declaration wins on a type clash).
  const args = useMemo(() => {
    const byName = new Map<string, RegistryArg>();
    for (const op of chosenOps) for (const a of op.args) if (!byName.has(a.name)) byName.set(a.name, a);
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }, [chosenOps]);
  const argType = (name: string) => args.find((a) => a.name === name)?.type;
  const longArgs = args.filter((a) => a.type === "Long");
  const stringArgs = args.filter((a) => a.type === "String");

  const problems: Problems = new Map(localProblems);
  for (const p of serverProblems) addProblem(problems, placeOf(p.field), p.field && placeOf(p.field) === "form" ? `${p.field}: ${p.message}` : p.message);
  const at = (key: string) => problems.get(key);

  async function submit() {
    const built = toRule(rule.id, form, argType);
    setLocalProblems(built.problems);
    setError(null);
    if (built.problems.size) {
      setError("Not saved: correct the fields marked below.");
      return;
    }
    setSaving(true);
    try {
      await onSave(built.rule);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  }

  const agentName = new Map(registry.agents.map((a) => [a.id, a.name]));
  const unknownAgents = form.agents.filter((id) => !agentName.has(id));
  const groups = [...new Set([...registry.groups, ...form.groups])].sort();
  const toggle = (list: string[], value: string, on: boolean) => (on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value));
  const serverSaidProblems = serverProblems.length > 0;

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby={titleId}
      className="m-auto max-h-[92vh] w-full max-w-3xl overflow-hidden rounded-lg bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <form
        noValidate
        className="flex max-h-[92vh] flex-col"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <header className="flex items-baseline justify-between gap-3 border-b border-slate-200 px-5 py-3">
          <h2 id={titleId} className="text-base font-semibold text-slate-900">
            {isNew ? "Add rule" : `Edit rule “${rule.name}”`}
          </h2>
          <span className="font-mono text-xs text-slate-400">{rule.id}</span>
        </header>

        <div className="min-h-0 flex-1 space-y-4 overflow-y-auto px-5 py-4">
          {serverSaidProblems ? (
            <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-inset ring-amber-200">
              Saved to the draft with problems: fix them to publish. They are shown at their fields.
            </p>
          ) : null}
          <ProblemText messages={at("form")} />

          <div className="grid gap-4 md:grid-cols-[1fr_auto]">
            <Field label="Name" error={at("name")?.join(" ")} hint="What the rule allows, in words people understand, e.g. “Support bot refunds up to $100”.">
              {(id) => <Input id={id} value={form.name} onChange={(e) => set("name", e.target.value)} maxLength={120} autoComplete="off" autoFocus aria-invalid={at("name") ? true : undefined} />}
            </Field>
            <fieldset>
              <legend className="mb-1 block text-xs font-medium text-slate-700">Effect</legend>
              <div className="flex h-[34px] items-center gap-4">
                {(["permit", "forbid"] as const).map((effect) => (
                  <label key={effect} className="flex items-center gap-1.5 text-sm">
                    <input type="radio" name="effect" checked={form.effect === effect} onChange={() => set("effect", effect)} />
                    {effect === "permit" ? "Permit" : "Forbid"}
                  </label>
                ))}
              </div>
            </fieldset>
          </div>
          {form.effect === "forbid" ? (
            <p className="text-xs text-slate-500">A forbid rule wins over every permit rule that matches the same action.</p>
          ) : null}

          <Section title="Who">
            <div className="flex gap-4 text-sm">
              <label className="flex items-center gap-1.5">
                <input type="radio" name="who" checked={form.everyone} onChange={() => set("everyone", true)} />
                All agents
              </label>
              <label className="flex items-center gap-1.5">
                <input type="radio" name="who" checked={!form.everyone} onChange={() => set("everyone", false)} />
                Chosen agents and groups
              </label>
            </div>
            {!form.everyone ? (
              <div className="grid gap-3 md:grid-cols-2">
                <fieldset className="rounded-md ring-1 ring-slate-200">
                  <legend className="sr-only">Agents</legend>
                  <div className="border-b border-slate-200 px-2.5 py-1.5 text-xs font-medium text-slate-700" aria-hidden>
                    Agents
                  </div>
                  <div className="max-h-40 space-y-1 overflow-y-auto px-2.5 py-2">
                    {registry.agents.length === 0 && unknownAgents.length === 0 ? <p className="text-xs text-slate-500">No agents registered.</p> : null}
                    {registry.agents.map((a) => (
                      <Check key={a.id} label={<span className="font-mono text-xs">{a.name}</span>} checked={form.agents.includes(a.id)} onChange={(on) => set("agents", toggle(form.agents, a.id, on))}>
                        {a.labels.length ? <span className="truncate text-xs text-slate-400">{a.labels.join(", ")}</span> : null}
                      </Check>
                    ))}
                    {unknownAgents.map((id) => (
                      <Check key={id} label={<span className="font-mono text-xs text-slate-500">{id} (decommissioned or removed)</span>} checked onChange={(on) => set("agents", toggle(form.agents, id, on))} />
                    ))}
                  </div>
                </fieldset>
                <fieldset className="rounded-md ring-1 ring-slate-200">
                  <legend className="sr-only">Groups</legend>
                  <div className="border-b border-slate-200 px-2.5 py-1.5 text-xs font-medium text-slate-700" aria-hidden>
                    Groups <span className="font-normal text-slate-500">(agent labels)</span>
                  </div>
                  <div className="max-h-40 space-y-1 overflow-y-auto px-2.5 py-2">
                    {groups.length === 0 ? <p className="text-xs text-slate-500">No agent has labels yet.</p> : null}
                    {groups.map((g) => (
                      <Check key={g} label={g} checked={form.groups.includes(g)} onChange={(on) => set("groups", toggle(form.groups, g, on))} />
                    ))}
                  </div>
                </fieldset>
              </div>
            ) : null}
            <ProblemText messages={at("who")} />
          </Section>

          <Section title="What">
            <Field label="Tool" error={at("tool")?.join(" ")}>
              {(id) => (
                <Select
                  id={id}
                  value={form.tool}
                  onChange={(e) => setForm((f) => ({ ...f, tool: e.target.value, operations: [], allOperations: false }))}
                  aria-invalid={at("tool") ? true : undefined}
                >
                  <option value="">{registry.tools.length ? "Choose a tool" : "No tools registered"}</option>
                  {form.tool && !tool ? <option value={form.tool}>{form.tool} (not registered)</option> : null}
                  {registry.tools.map((t) => (
                    <option key={t.name} value={t.name}>
                      {t.displayName} ({t.name})
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            {form.tool ? (
              <fieldset>
                <legend className="mb-1 block text-xs font-medium text-slate-700">Operations</legend>
                <div className="space-y-1 rounded-md px-2.5 py-2 ring-1 ring-slate-200">
                  <Check label={<span>All operations <span className="text-xs text-slate-500">(including ones added later)</span></span>} checked={form.allOperations} onChange={(on) => set("allOperations", on)} />
                  <div className="max-h-44 space-y-1 overflow-y-auto border-t border-slate-100 pt-1">
                    {(tool?.operations ?? []).map((op) => (
                      <Check
                        key={op.name}
                        label={<span className="font-mono text-xs">{op.name}</span>}
                        checked={form.allOperations || form.operations.includes(op.name)}
                        disabled={form.allOperations}
                        onChange={(on) => set("operations", toggle(form.operations, op.name, on))}
                      >
                        <RiskBadge risk={op.riskClass} />
                        {op.reversible ? null : <span className="text-xs text-amber-700">irreversible</span>}
                      </Check>
                    ))}
                    {form.operations
                      .filter((name) => !tool?.operations.some((o) => o.name === name))
                      .map((name) => (
                        <Check key={name} label={<span className="font-mono text-xs text-slate-500">{name} (not registered)</span>} checked onChange={(on) => set("operations", toggle(form.operations, name, on))} />
                      ))}
                  </div>
                </div>
                <ProblemText messages={at("operations")} />
              </fieldset>
            ) : null}
            <Field label="Resource patterns" error={at("resources")?.join(" ")} hint="One glob per line on the action's resource id, e.g. acme/* or #ops-*. Empty: any resource.">
              {(id) => <textarea id={id} rows={2} value={form.resources} onChange={(e) => set("resources", e.target.value)} className={cx(inputClass, "font-mono")} spellCheck={false} />}
            </Field>
          </Section>

          <Section title="Conditions" hint="Every condition must hold for the rule to match. A missing argument makes the rule not match.">
            <ProblemText messages={at("conditions")} />
            <fieldset className="space-y-2">
              <legend className="mb-1 block text-xs font-medium text-slate-700">Argument constraints</legend>
              {form.constraints.length === 0 ? <p className="text-xs text-slate-500">None.</p> : null}
              {form.constraints.map((row, i) => {
                const type = argType(row.arg);
                const ops = (type && OPS_BY_TYPE[type]) || OPS;
                const update = (patch: Partial<ConstraintRow>) => set("constraints", form.constraints.map((r) => (r.key === row.key ? { ...r, ...patch } : r)));
                const n = i + 1;
                return (
                  <div key={row.key} className="space-y-1" data-testid="constraint-row">
                    <div className="flex flex-wrap items-center gap-2">
                      <Select aria-label={`Constraint ${n} argument`} value={row.arg} onChange={(e) => update({ arg: e.target.value })} className="w-56! font-mono">
                        <option value="">Argument…</option>
                        {row.arg && !type ? <option value={row.arg}>{row.arg} (not declared)</option> : null}
                        {args.map((a) => (
                          <option key={a.name} value={a.name}>
                            {a.name} · {a.type}
                          </option>
                        ))}
                      </Select>
                      <Select aria-label={`Constraint ${n} operator`} value={row.op} onChange={(e) => update({ op: e.target.value as ConstraintOp })} className="w-40!">
                        {[...new Set([...ops, row.op])].map((op) => (
                          <option key={op} value={op}>
                            {CONSTRAINT_LABEL[op]}
                          </option>
                        ))}
                      </Select>
                      {row.op === "equals" || row.op === "max" ? (
                        <Input aria-label={`Constraint ${n} value`} value={row.value} onChange={(e) => update({ value: e.target.value })} className="w-44!" placeholder={type === "Long" || row.op === "max" ? "10000" : "value"} />
                      ) : row.op === "one_of" ? (
                        <Input aria-label={`Constraint ${n} values`} value={row.values} onChange={(e) => update({ values: e.target.value })} className="w-64!" placeholder="usd, eur" />
                      ) : row.op === "range" ? (
                        <>
                          <Input aria-label={`Constraint ${n} from`} value={row.min} onChange={(e) => update({ min: e.target.value })} className="w-28!" placeholder="from" inputMode="numeric" />
                          <Input aria-label={`Constraint ${n} to`} value={row.max} onChange={(e) => update({ max: e.target.value })} className="w-28!" placeholder="to" inputMode="numeric" />
                        </>
                      ) : row.op === "pattern" ? (
                        <Input aria-label={`Constraint ${n} pattern`} value={row.glob} onChange={(e) => update({ glob: e.target.value })} className="w-64! font-mono" placeholder="acme/*" spellCheck={false} />
                      ) : null}
                      <Button variant="ghost" size="sm" onClick={() => set("constraints", form.constraints.filter((r) => r.key !== row.key))} aria-label={`Remove constraint ${n}`}>
                        Remove
                      </Button>
                    </div>
                    <ProblemText messages={at(`constraints.${i}`)} />
                  </div>
                );
              })}
              <ProblemText messages={at("constraints")} />
              <Button
                variant="secondary"
                size="sm"
                disabled={args.length === 0}
                title={args.length === 0 ? "Choose operations that declare arguments first" : undefined}
                onClick={() => set("constraints", [...form.constraints, { key: nextKey(), arg: args[0]?.name ?? "", op: "equals", value: "", values: "", min: "", max: "", glob: "" }])}
              >
                Add constraint
              </Button>
            </fieldset>

            <fieldset className="space-y-2">
              <legend className="mb-1 block text-xs font-medium text-slate-700">Outbound destinations</legend>
              <p className="text-xs text-slate-500">The host of a URL argument must match one of these (globs, comma-separated), e.g. hooks.slack.com, *.acme.com.</p>
              {form.destinations.map((row, i) => {
                const update = (patch: Partial<DestinationRow>) => set("destinations", form.destinations.map((r) => (r.key === row.key ? { ...r, ...patch } : r)));
                const n = i + 1;
                return (
                  <div key={row.key} className="space-y-1">
                    <div className="flex flex-wrap items-center gap-2">
                      <Select aria-label={`Destination ${n} URL argument`} value={row.arg} onChange={(e) => update({ arg: e.target.value })} className="w-48! font-mono">
                        <option value="">URL argument…</option>
                        {row.arg && !stringArgs.some((a) => a.name === row.arg) ? <option value={row.arg}>{row.arg}</option> : null}
                        {stringArgs.map((a) => (
                          <option key={a.name} value={a.name}>
                            {a.name}
                          </option>
                        ))}
                      </Select>
                      <Input aria-label={`Destination ${n} hosts`} value={row.hosts} onChange={(e) => update({ hosts: e.target.value })} className="w-80! font-mono" placeholder="hooks.slack.com, *.acme.com" spellCheck={false} />
                      <Button variant="ghost" size="sm" onClick={() => set("destinations", form.destinations.filter((r) => r.key !== row.key))} aria-label={`Remove destination ${n}`}>
                        Remove
                      </Button>
                    </div>
                    <ProblemText messages={at(`destinations.${i}`)} />
                  </div>
                );
              })}
              <ProblemText messages={at("destinations")} />
              <Button
                variant="secondary"
                size="sm"
                disabled={stringArgs.length === 0}
                title={stringArgs.length === 0 ? "The chosen operations have no string arguments" : undefined}
                onClick={() => set("destinations", [...form.destinations, { key: nextKey(), arg: stringArgs[0]?.name ?? "", hosts: "" }])}
              >
                Add destination
              </Button>
            </fieldset>

            <fieldset className="space-y-2">
              <legend className="sr-only">Time window</legend>
              <Check label="Only during a time window (UTC), e.g. a change window" checked={form.windowOn} onChange={(on) => set("windowOn", on)} />
              {form.windowOn ? (
                <div className="flex flex-wrap items-end gap-3 pl-5">
                  <fieldset>
                    <legend className="mb-1 block text-xs font-medium text-slate-700">Days</legend>
                    <div className="flex gap-1">
                      {WEEK.map((d) => (
                        <label key={d} className={cx("cursor-pointer rounded px-2 py-1 text-xs ring-1 ring-inset has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-500", form.days.includes(d) ? "bg-brand-50 text-brand-700 ring-brand-500" : "text-slate-600 ring-slate-300")}>
                          <input type="checkbox" className="sr-only" checked={form.days.includes(d)} onChange={(e) => set("days", e.target.checked ? [...form.days, d] : form.days.filter((x) => x !== d))} />
                          {DAY_SHORT[d]}
                        </label>
                      ))}
                    </div>
                  </fieldset>
                  <Field label="From (UTC)">
                    {(id) => <Input id={id} value={form.start} onChange={(e) => set("start", e.target.value)} className="w-24! font-mono" placeholder="09:00" inputMode="numeric" />}
                  </Field>
                  <Field label="Until (UTC)">
                    {(id) => <Input id={id} value={form.end} onChange={(e) => set("end", e.target.value)} className="w-24! font-mono" placeholder="17:00" inputMode="numeric" />}
                  </Field>
                </div>
              ) : null}
              <ProblemText messages={at("timeWindow")} />
            </fieldset>
          </Section>

          <Section title="Approval">
            {form.effect === "forbid" ? (
              <p className="text-sm text-slate-500">Forbid rules deny outright; there is nothing to approve.</p>
            ) : (
              <>
                <div className="grid gap-1.5 sm:grid-cols-2">
                  {(["autonomous", "threshold", "always", "two_person"] as const).map((tier) => (
                    <label key={tier} className="flex items-center gap-2 text-sm">
                      <input type="radio" name="tier" checked={form.tier === tier} onChange={() => set("tier", tier)} />
                      {TIER_LABEL[tier]}
                    </label>
                  ))}
                </div>
                {form.tier !== "autonomous" ? (
                  <div className="flex flex-wrap items-end gap-3">
                    {form.tier === "threshold" ? (
                      <>
                        <Field label="Threshold argument">
                          {(id) => (
                            <Select id={id} value={form.thresholdArg} onChange={(e) => set("thresholdArg", e.target.value)} className="w-52! font-mono">
                              <option value="">{longArgs.length ? "Choose…" : "No whole-number argument"}</option>
                              {form.thresholdArg && !longArgs.some((a) => a.name === form.thresholdArg) ? <option value={form.thresholdArg}>{form.thresholdArg}</option> : null}
                              {longArgs.map((a) => (
                                <option key={a.name} value={a.name}>
                                  {a.name}
                                </option>
                              ))}
                            </Select>
                          )}
                        </Field>
                        <Field label="Approval needed above">
                          {(id) => <Input id={id} value={form.above} onChange={(e) => set("above", e.target.value)} className="w-36! tabular-nums" inputMode="numeric" placeholder="10000" />}
                        </Field>
                      </>
                    ) : null}
                    <Field label="Request expires after (minutes)">
                      {(id) => <Input id={id} value={form.expires} onChange={(e) => set("expires", e.target.value)} className="w-28! tabular-nums" inputMode="numeric" />}
                    </Field>
                  </div>
                ) : null}
                {form.tier !== "autonomous" ? (
                  <div className="grid gap-3 sm:grid-cols-[1fr_auto_auto]">
                    <Field
                      label="Approver groups that must all sign"
                      hint="Comma-separated, e.g. security, finance: each group needs its own approving member (one person signs for one group), on top of the count above."
                      error={at("approvalGroups")?.join(" ")}
                    >
                      {(id) => <Input id={id} value={form.approvalGroups} onChange={(e) => set("approvalGroups", e.target.value)} placeholder="security, finance" />}
                    </Field>
                    <Field label="Escalate after (minutes)">
                      {(id) => <Input id={id} value={form.escalateAfter} onChange={(e) => set("escalateAfter", e.target.value)} className="w-28! tabular-nums" inputMode="numeric" placeholder="—" />}
                    </Field>
                    <Field label="Escalate to group">
                      {(id) => <Input id={id} value={form.escalateTo} onChange={(e) => set("escalateTo", e.target.value)} className="w-36!" placeholder="e.g. security-leads" />}
                    </Field>
                  </div>
                ) : null}
                <ProblemText messages={at("escalation")} />
                {form.tier === "threshold" ? <p className="text-xs text-slate-500">Below or at the threshold the agent acts on its own; above it, a person approves that exact action.</p> : null}
              </>
            )}
            <ProblemText messages={at("approval")} />
          </Section>

          <Section title="Mode">
            <Check label={<span>Shadow mode <span className="text-xs text-slate-500">— evaluate and record what this rule would decide, without enforcing it</span></span>} checked={form.shadow} onChange={(on) => set("shadow", on)} />
            <ProblemText messages={at("effect")} />
          </Section>

          <details className="border-t border-slate-200 pt-3" open={Boolean(rule.cedar) || Boolean(at("cedar"))}>
            <summary className="cursor-pointer text-xs font-semibold uppercase tracking-wide text-slate-500 hover:text-slate-800">Advanced: Cedar condition</summary>
            <div className="mt-2">
              <Field
                label="Cedar condition"
                error={at("cedar")?.join(" ")}
                hint='An extra condition the form cannot express, ANDed with the others and checked against the schema of the tool registry, e.g. context.args has "currency" && context.args["currency"] == "usd".'
              >
                {(id) => (
                  <textarea
                    id={id}
                    rows={4}
                    value={form.cedar}
                    onChange={(e) => set("cedar", e.target.value)}
                    className={cx(inputClass, "font-mono text-xs")}
                    spellCheck={false}
                    maxLength={5000}
                    aria-invalid={at("cedar") ? true : undefined}
                  />
                )}
              </Field>
            </div>
          </details>
        </div>

        <footer className="flex items-center gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3">
          <div className="min-w-0 flex-1">
            <FormError message={error} />
          </div>
          <Button variant="secondary" onClick={() => ref.current?.close()} disabled={saving}>
            {serverSaidProblems ? "Close" : "Cancel"}
          </Button>
          <Button type="submit" disabled={saving}>
            {saving ? "Saving…" : "Save rule"}
          </Button>
        </footer>
      </form>
    </dialog>
  );
}
