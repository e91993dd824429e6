/** Response shapes of API.md §5 (documented in OpenAPI; the services build them). */
import { z } from "zod";

export const runSummaryBody = z
  .object({
    run_id: z.string().meta({ description: "The agent's run id" }),
    id: z.string().meta({ description: "Gatehouse's id of the run (console URLs)" }),
    status: z.enum(["running", "finished"]),
    outcome: z.enum(["succeeded", "failed", "escalated", "terminated"]).nullable().or(z.string().nullable()),
    agent: z.object({ id: z.string(), name: z.string().nullable() }),
    started_at: z.string(),
    finished_at: z.string().nullable(),
    last_event_at: z.string().nullable(),
    duration_ms: z.number().nullable(),
    policy_version: z.number().int().nullable(),
    model: z.unknown().meta({ description: "run.started's model" }),
    input: z.unknown().meta({ description: "run.started's input" }),
    totals: z.object({
      events: z.number().int(),
      tool_calls: z.number().int(),
      errors: z.number().int(),
      input_tokens: z.number().int(),
      output_tokens: z.number().int(),
      tokens: z.number().int(),
      cost_usd: z.number(),
      decisions: z.number().int(),
      denials: z.number().int(),
      approvals: z.number().int(),
      side_effects: z.number().int(),
    }),
  })
  .meta({ id: "RunSummary" });

export const timelineEventBody = z
  .looseObject({
    id: z.string(),
    run_id: z.string(),
    type: z.string(),
    ts: z.string(),
    source: z.enum(["agent", "server"]).meta({ description: "server: recorded by Gatehouse itself (decisions, approvals)" }),
    agent_id: z.string(),
    received_at: z.string(),
    payload_sha256: z.string().meta({ description: "SHA-256 of the original event (canonical JSON, keys sorted), before redaction" }),
    redacted: z.array(z.string()).optional().meta({ description: "Paths whose values were redacted before storage; [\"*\"] when the retention policy removed the payload" }),
  })
  .meta({ id: "TimelineEvent" });

export const runEventsBody = z
  .object({ events: z.array(timelineEventBody), next: z.string().nullable().meta({ description: "Cursor for the next page, null at the end" }) })
  .meta({ id: "RunEvents" });
