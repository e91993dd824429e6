/**
 * The agent-reported run events of API.md §4, as zod schemas. Each event is validated on
 * its own (a bad one never fails its batch); unknown extra fields are kept. Types the
 * server records itself ("decision", "approval.*") are not accepted from agents.
 */
import { z } from "zod";

/** An agent-chosen identifier: printable, at most 128 characters. */
const agentId = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty.`)
    .max(128, `${what} is at most 128 characters.`)
    .regex(/^[^\u0000-\u001f\u007f]*$/, `${what} must not contain control characters.`);

const count = z.number().int().min(0).max(100_000_000);
const money = z.number().min(0).max(1_000_000);
const millis = z.number().min(0).max(7 * 24 * 3600 * 1000);

const base = {
  id: agentId("id").meta({ description: "The agent's idempotency key: the same (agent, id) is stored once" }),
  run_id: agentId("run_id").meta({ description: "The agent's run id; one run per id per tenant" }),
  ts: z.iso
    .datetime({ offset: true, error: "ts must be an RFC 3339 time.", abort: true })
    .refine((v) => {
      const t = Date.parse(v);
      return t > Date.UTC(2000, 0, 1) && t < Date.UTC(2100, 0, 1);
    }, "ts must be between 2000 and 2100.")
    .optional()
    .meta({ description: "When it happened (RFC 3339); defaults to the time the server received it" }),
};

export const runStartedEvent = z
  .looseObject({
    ...base,
    type: z.literal("run.started"),
    input: z.unknown().optional(),
    model: z
      .union([
        z.string(),
        z.looseObject({
          provider: z.string().optional(),
          name: z.string().optional(),
          system_prompt_version: z.string().optional(),
          tool_schema_version: z.string().optional(),
        }),
      ])
      .optional(),
  })
  .meta({ id: "RunStartedEvent" });

export const modelCallEvent = z
  .looseObject({
    ...base,
    type: z.literal("model.call"),
    model: z.union([z.string(), z.looseObject({ name: z.string().optional() })]).optional(),
    input_tokens: count.optional(),
    output_tokens: count.optional(),
    cost_usd: money.optional(),
    latency_ms: millis.optional(),
    error: z.string().optional(),
  })
  .meta({ id: "ModelCallEvent" });

export const toolCallEvent = z
  .looseObject({
    ...base,
    type: z.literal("tool.call"),
    decision_id: z.string().max(128).optional().meta({ description: "The decision that allowed this call (causal link)" }),
    tool: z.string().min(1).max(200),
    operation: z.string().min(1).max(200),
    args: z.unknown().optional(),
    status: z.enum(["ok", "error"]),
    latency_ms: millis.optional(),
    output: z.unknown().optional(),
    error: z.string().optional(),
    cost_usd: money.optional(),
  })
  .meta({ id: "ToolCallEvent" });

export const sideEffectEvent = z
  .looseObject({
    ...base,
    type: z.literal("side_effect"),
    system: z.string().min(1).max(200),
    object_type: z.string().min(1).max(200),
    object_id: z.string().min(1).max(500),
    url: z.string().max(2000).optional(),
    tool_call_id: z.string().max(128).optional().meta({ description: "The tool.call event that caused it (causal link)" }),
    decision_id: z.string().max(128).optional(),
  })
  .meta({ id: "SideEffectEvent" });

export const logEvent = z
  .looseObject({
    ...base,
    type: z.literal("log"),
    level: z.enum(["debug", "info", "warn", "error"]),
    message: z.string().max(100_000),
  })
  .meta({ id: "LogEvent" });

export const runFinishedEvent = z
  .looseObject({
    ...base,
    type: z.literal("run.finished"),
    outcome: z.enum(["succeeded", "failed", "escalated", "terminated"]),
    reason: z.string().optional(),
  })
  .meta({ id: "RunFinishedEvent" });

export const AGENT_EVENT_TYPES = ["run.started", "model.call", "tool.call", "side_effect", "log", "run.finished"] as const;

export const agentEvent = z
  .discriminatedUnion("type", [runStartedEvent, modelCallEvent, toolCallEvent, sideEffectEvent, logEvent, runFinishedEvent], {
    error: (issue) =>
      issue.code === "invalid_union" ? `type must be one of ${AGENT_EVENT_TYPES.join(", ")}.` : undefined,
  })
  .meta({ id: "RunEvent" });

export type AgentEvent = z.infer<typeof agentEvent>;

export const MAX_EVENTS_PER_REQUEST = 1000;

/** The envelope; events are checked one by one afterwards (partial acceptance). */
export const eventsRequestEnvelope = z.object({
  events: z
    .array(z.unknown())
    .min(1, "Send at least one event.")
    .max(MAX_EVENTS_PER_REQUEST, `At most ${MAX_EVENTS_PER_REQUEST} events per request.`),
});

/** What OpenAPI documents: the envelope with each event's schema. */
export const eventsRequest = z.object({ events: z.array(agentEvent).min(1).max(MAX_EVENTS_PER_REQUEST) }).meta({ id: "EventsRequest" });

export const eventsResponse = z
  .object({
    accepted: z.number().int().meta({ description: "Events durably queued by this request" }),
    duplicates: z.number().int().meta({ description: "Events whose (agent, id) was already accepted (stored once)" }),
    rejected: z.array(
      z.object({
        index: z.number().int(),
        error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
      }),
    ),
  })
  .meta({ id: "EventsResponse" });

export type EventsResponse = z.infer<typeof eventsResponse>;
