import { sha256 } from "@/lib/sha256";
import { zodDetails } from "@/lib/errors";
import { findUnstorable } from "@/lib/json/storable";
import { canonicalJsonOfParsed } from "./canonical";
import { redactValue, type CompiledPath } from "./redact";
import { setOwn } from "./set-own";
import { agentEvent, type AgentEvent } from "./schemas";
import type { TimelineEvent } from "./timeline-event";

export type Rejection = { index: number; error: { code: string; message: string; details?: unknown } };

/** Fields that live in their own columns, or that only the server may set. */
const RESERVED = new Set(["id", "run_id", "type", "ts", "source", "agent_id", "received_at", "payload_sha256", "redacted"]);

/**
 * Validates each raw event on its own, drops repeats of an id inside the batch, hashes the
 * original and redacts the rest. Pure: no I/O. `now` is the receive time (default ts).
 */
export function prepareEvents(raw: unknown[], opts: { paths: CompiledPath[]; now: Date }) {
  const rejected: Rejection[] = [];
  const events: TimelineEvent[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  raw.forEach((item, index) => {
    // First: a value Postgres refuses would fail the whole batch's write in the worker, and
    // one nested thousands deep would overflow the redaction and hashing walks below.
    const unstorable = findUnstorable(item);
    if (unstorable) {
      const path = unstorable.path.map(String).join(".") || "(root)";
      rejected.push({ index, error: { code: "validation_failed", message: "Event cannot be stored.", details: [{ path, message: unstorable.message }] } });
      return;
    }
    const parsed = agentEvent.safeParse(item);
    if (!parsed.success) {
      rejected.push({ index, error: { code: "validation_failed", message: "Event failed validation.", details: zodDetails(parsed.error) } });
      return;
    }
    const event = parsed.data;
    if (seen.has(event.id)) {
      duplicates++;
      return;
    }
    seen.add(event.id);
    events.push(toTimelineEvent(event, item, opts));
  });
  return { events, rejected, duplicates };
}

function toTimelineEvent(event: AgentEvent, original: unknown, opts: { paths: CompiledPath[]; now: Date }): TimelineEvent {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) if (!RESERVED.has(key) && value !== undefined) setOwn(rest, key, value);
  // zod's output drops a top-level "__proto__" key: the agent's value is kept as sent.
  const proto = Object.getOwnPropertyDescriptor(original, "__proto__");
  if (proto) setOwn(rest, "__proto__", proto.value);
  const { value: payload, redacted } = redactValue(rest, opts.paths);
  const out: TimelineEvent = {
    key: event.id,
    run: event.run_id,
    type: event.type,
    ts: (event.ts ? new Date(event.ts) : opts.now).toISOString(),
    payload: payload as Record<string, unknown>,
    hash: sha256(canonicalJsonOfParsed(original)),
  };
  if (redacted.length) out.redacted = redacted;
  switch (event.type) {
    case "model.call":
      if (event.input_tokens !== undefined) out.inputTokens = event.input_tokens;
      if (event.output_tokens !== undefined) out.outputTokens = event.output_tokens;
      if (event.cost_usd !== undefined) out.costUsd = event.cost_usd;
      if (event.error) out.isError = true;
      break;
    case "tool.call":
      if (event.cost_usd !== undefined) out.costUsd = event.cost_usd;
      if (event.status === "error") out.isError = true;
      break;
    case "log":
      if (event.level === "error") out.isError = true;
      break;
  }
  return out;
}
