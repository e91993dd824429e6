/**
 * OTLP spans → run events, with the OpenTelemetry GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/):
 *   - one trace is one run: run id = `gatehouse.run_id` when any span of the trace
 *     carries it, else the trace id in lowercase hex;
 *   - a model span (gen_ai.operation.name chat | text_completion | generate_content |
 *     embeddings, or any span with gen_ai.request.model / gen_ai.usage.*) → `model.call`
 *     (model, provider, gen_ai.usage.input_tokens / output_tokens, latency, error);
 *   - a tool span (execute_tool, or gen_ai.tool.name) → `tool.call` (tool, call id,
 *     gen_ai.tool.call.arguments / result when recorded, status from the span status);
 *   - an agent span (invoke_agent) without a parent → `run.started` at its start and
 *     `run.finished` at its end (failed when the span status is error);
 *   - a span event named `exception` on a mapped span → a `log` at level error.
 * Other spans are not run events and are skipped (counted, not rejected). Event ids are
 * derived from span ids, so an exporter's retry is stored once.
 * Gatehouse extensions: gatehouse.run_id, gatehouse.cost_usd, gatehouse.decision_id,
 * gatehouse.tool / gatehouse.operation (when gen_ai.tool.name is not "tool operation").
 */
import type { OtlpSpan, OtlpValue } from "./decode";

const MODEL_OPERATIONS = new Set(["chat", "text_completion", "generate_content", "embeddings"]);

const str = (v: OtlpValue | undefined) => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: OtlpValue | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined);
const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
const millis = (s: OtlpSpan) => (s.endNs > s.startNs ? Number((s.endNs - s.startNs) / 1_000n) / 1000 : undefined);

function parseMaybeJson(v: OtlpValue | undefined): unknown {
  if (typeof v !== "string") return v ?? undefined;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function mapSpans(spans: OtlpSpan[], knownRuns: Map<string, string> = new Map()): { events: Record<string, unknown>[]; skipped: number; runOf: Map<string, string> } {
  // Run id per trace: the first gatehouse.run_id seen on any of its spans, else one an
  // earlier export of the same trace named (exporters may send a trace's spans apart).
  const runOf = new Map<string, string>(knownRuns);
  for (const s of spans) {
    const id = str(s.attributes["gatehouse.run_id"]);
    if (id && (!runOf.has(s.traceId) || runOf.get(s.traceId) === knownRuns.get(s.traceId))) runOf.set(s.traceId, id);
  }
  const events: Record<string, unknown>[] = [];
  let skipped = 0;
  for (const s of spans) {
    const a = s.attributes;
    const run_id = runOf.get(s.traceId) ?? s.traceId;
    const op = str(a["gen_ai.operation.name"]);
    const error = s.statusCode === 2 ? s.statusMessage || str(a["error.type"]) || "error" : undefined;
    const base = { run_id, ts: iso(s.startNs), otel: clean({ trace_id: s.traceId, span_id: s.spanId, parent_span_id: s.parentSpanId ?? undefined, name: s.name }) };
    let mapped = true;
    if (op === "invoke_agent" && !s.parentSpanId) {
      const agentName = str(a["gen_ai.agent.name"]);
      events.push({ ...base, id: `otel-${s.spanId}-start`, type: "run.started", model: clean({ provider: str(a["gen_ai.provider.name"]) ?? str(a["gen_ai.system"]), name: str(a["gen_ai.request.model"]) }), ...(agentName && { input: { agent: agentName } }) });
      if (s.endNs > 0n) {
        events.push({
          ...base, id: `otel-${s.spanId}-end`, type: "run.finished", ts: iso(s.endNs),
          outcome: str(a["gatehouse.outcome"]) ?? (error ? "failed" : "succeeded"), ...(error && { reason: error }),
        });
      }
    } else if ((op && MODEL_OPERATIONS.has(op)) || (!op && (a["gen_ai.request.model"] !== undefined || a["gen_ai.usage.input_tokens"] !== undefined))) {
      events.push(
        clean({
          ...base, id: `otel-${s.spanId}`, type: "model.call",
          model: str(a["gen_ai.response.model"]) ?? str(a["gen_ai.request.model"]) ?? s.name,
          provider: str(a["gen_ai.provider.name"]) ?? str(a["gen_ai.system"]),
          operation: op,
          input_tokens: num(a["gen_ai.usage.input_tokens"]) ?? num(a["gen_ai.usage.prompt_tokens"]),
          output_tokens: num(a["gen_ai.usage.output_tokens"]) ?? num(a["gen_ai.usage.completion_tokens"]),
          cost_usd: num(a["gatehouse.cost_usd"]),
          latency_ms: millis(s),
          finish_reasons: a["gen_ai.response.finish_reasons"] ?? undefined,
          error,
        }),
      );
    } else if (op === "execute_tool" || a["gen_ai.tool.name"] !== undefined) {
      const tool = str(a["gatehouse.tool"]) ?? str(a["gen_ai.tool.name"]) ?? s.name;
      events.push(
        clean({
          ...base, id: `otel-${s.spanId}`, type: "tool.call",
          tool,
          operation: str(a["gatehouse.operation"]) ?? str(a["gen_ai.tool.name"]) ?? s.name,
          tool_call_id: str(a["gen_ai.tool.call.id"]),
          decision_id: str(a["gatehouse.decision_id"]),
          args: parseMaybeJson(a["gen_ai.tool.call.arguments"]),
          output: parseMaybeJson(a["gen_ai.tool.call.result"]),
          status: error ? "error" : "ok",
          error,
          latency_ms: millis(s),
          cost_usd: num(a["gatehouse.cost_usd"]),
        }),
      );
    } else {
      mapped = false;
      skipped++;
    }
    if (mapped) {
      for (const [i, e] of s.events.entries()) {
        if (e.name !== "exception") continue;
        events.push({
          run_id, id: `otel-${s.spanId}-exc${i}`, type: "log", ts: iso(e.timeNs || s.startNs), level: "error",
          message: str(e.attributes["exception.message"]) ?? str(e.attributes["exception.type"]) ?? "exception",
          ...(str(e.attributes["exception.type"]) && { exception_type: str(e.attributes["exception.type"]) }),
        });
      }
    }
  }
  return { events, skipped, runOf };
}

/** The spans' trace ids that carry no gatehouse.run_id in this batch. */
export function tracesWithoutRunId(spans: OtlpSpan[]): string[] {
  const named = new Set(spans.filter((s) => typeof s.attributes["gatehouse.run_id"] === "string").map((s) => s.traceId));
  return [...new Set(spans.map((s) => s.traceId))].filter((t) => !named.has(t));
}
