import { Badge, type Tone } from "@/components/ui/badge";
import { Icons } from "@/components/ui/icons";
import { formatCount, formatElapsed, formatUsd } from "./format";
import type { TimelineEvent } from "./types";

const str = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

/** The type badge of an event: decisions by verdict, tool calls by status, logs by level. */
export function eventTone(e: TimelineEvent): Tone {
  switch (e.type) {
    case "decision":
      return e.decision === "allow" ? "green" : e.decision === "deny" ? "red" : "amber";
    case "approval.decided":
      return e.status === "approved" ? "green" : "red";
    case "approval.escalated":
      return "amber";
    case "tool.call":
      return e.status === "error" ? "red" : "neutral";
    case "model.call":
      return e.error ? "red" : "neutral";
    case "log":
      return e.level === "error" ? "red" : e.level === "warn" ? "amber" : "neutral";
    case "run.finished":
      return e.outcome === "succeeded" ? "green" : e.outcome === "escalated" ? "amber" : "red";
    case "side_effect":
      return "brand";
    case "gateway.call":
      return "brand";
    case "gateway.result":
      return e.error || (num(e.status) ?? 0) >= 400 ? "red" : "green";
    default:
      return "neutral";
  }
}

/** One line of what happened, per event type. */
export function eventSummary(e: TimelineEvent): string {
  switch (e.type) {
    case "run.started": {
      const input = e.input as { kind?: string; ref?: string } | undefined;
      const model = typeof e.model === "string" ? e.model : (e.model as { name?: string } | undefined)?.name;
      return [input?.kind && `${input.kind} ${input.ref ?? ""}`.trim(), model && `model ${model}`].filter(Boolean).join(" · ") || "run started";
    }
    case "model.call": {
      const model = typeof e.model === "string" ? e.model : (e.model as { name?: string } | undefined)?.name;
      const parts = [model, num(e.input_tokens) !== undefined && `${formatCount(num(e.input_tokens)!)} in / ${formatCount(num(e.output_tokens) ?? 0)} out`];
      if (num(e.cost_usd) !== undefined) parts.push(formatUsd(num(e.cost_usd)!));
      if (num(e.latency_ms) !== undefined) parts.push(formatElapsed(num(e.latency_ms)!));
      if (e.error) parts.push(`error: ${str(e.error)}`);
      return parts.filter(Boolean).join(" · ");
    }
    case "tool.call": {
      const parts = [`${str(e.tool)} ${str(e.operation)}`, str(e.status)];
      if (num(e.latency_ms) !== undefined) parts.push(formatElapsed(num(e.latency_ms)!));
      if (e.error) parts.push(str(e.error));
      return parts.join(" · ");
    }
    case "side_effect":
      return `${str(e.system)} ${str(e.object_type)} ${str(e.object_id)}`;
    case "gateway.call":
      return `${str(e.method)} ${str(e.url)} · ${str(e.tool)} ${str(e.operation)}`;
    case "gateway.result": {
      // The upstream's answer first: the row is narrow and this is what a reader looks for.
      const parts = [e.status === null || e.status === undefined ? "no answer" : `HTTP ${str(e.status)}`];
      if (num(e.latency_ms) !== undefined) parts.push(formatElapsed(num(e.latency_ms)!));
      if (e.error) parts.push(str(e.error));
      for (const s of gatewaySideEffects(e)) parts.push(`${s.object_type} ${s.object_id ?? ""}`.trim());
      if (num(e.spend_usd) !== undefined) parts.push(`$${num(e.spend_usd)!.toFixed(2)} spent`);
      parts.push(`${str(e.tool)} ${str(e.operation)}`);
      return parts.join(" · ");
    }
    case "log":
      return str(e.message);
    case "run.finished":
      return [str(e.outcome), str(e.reason)].filter(Boolean).join(" — ");
    case "decision":
      return `${str(e.decision)} · ${str(e.tool)} ${str(e.operation)}${Array.isArray(e.reasons) && e.reasons.length ? ` · ${(e.reasons as { code?: string }[]).map((r) => r.code).join(", ")}` : ""}`;
    case "approval.decided":
      return `${str(e.status)} · ${str(e.approval_id)}`;
    case "approval.escalated":
      return `escalated to ${str(e.escalated_to)} after ${str(e.waited_minutes)} min · ${str(e.approval_id)}`;
    default:
      return "";
  }
}

/** The causal link an event carries: a tool call's decision, a side effect's tool call. */
export function causalLink(e: TimelineEvent): { label: string; id: string } | null {
  if (e.type === "side_effect" && typeof e.tool_call_id === "string") return { label: "tool call", id: e.tool_call_id };
  if ((e.type === "tool.call" || e.type === "side_effect" || isAttestedCall(e)) && typeof e.decision_id === "string") return { label: "decision", id: e.decision_id };
  return null;
}

/** A call Gatehouse made itself through the gateway, and recorded: not what an agent says it did. */
export function isAttestedCall(e: Pick<TimelineEvent, "type" | "source">): boolean {
  return e.source === "server" && (e.type === "gateway.call" || e.type === "gateway.result");
}

/** The side effects a gateway result names (the upstream's ids and links). */
export function gatewaySideEffects(e: TimelineEvent): { system?: string; object_type?: string; object_id?: string; url?: string }[] {
  return Array.isArray(e.side_effects) ? (e.side_effects as { system?: string; object_type?: string; object_id?: string; url?: string }[]) : [];
}

export function AttestedMark() {
  return (
    <span
      className="mr-1.5 inline-flex items-center gap-0.5 rounded bg-emerald-50 px-1 py-0.5 align-middle text-[10px] font-semibold text-emerald-800 ring-1 ring-inset ring-emerald-200"
      title="Gatehouse made this call itself, with the credential from its vault, and recorded what it sent and received"
    >
      <Icons.check className="h-3 w-3" />
      Attested by Gatehouse
    </span>
  );
}

export function SourceMark({ source }: { source: TimelineEvent["source"] }) {
  return source === "server" ? (
    <span className="inline-flex items-center gap-0.5 rounded bg-slate-900 px-1 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-white" title="Recorded by Gatehouse itself (server-attested)">
      <Icons.shield className="h-3 w-3" />
      server
    </span>
  ) : (
    <span className="rounded px-1 py-0.5 text-[10px] font-medium uppercase tracking-wide text-slate-400 ring-1 ring-inset ring-slate-200" title="Reported by the agent">
      agent
    </span>
  );
}

export function TypeBadge({ event }: { event: TimelineEvent }) {
  return (
    <Badge tone={eventTone(event)} className="font-mono">
      {event.type}
    </Badge>
  );
}
