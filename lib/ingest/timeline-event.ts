import { z } from "zod";

/**
 * One event as it travels from the API to the writer (the ingest job's payload) and as
 * the server records its own (decisions, approvals): already validated and redacted.
 */
export const timelineEvent = z.object({
  key: z.string().min(1).max(200), // the agent's event id, or the server record's id
  run: z.string().min(1).max(128), // the agent's run id
  type: z.string().min(1).max(64),
  ts: z.iso.datetime(), // UTC
  // Redacted; without id/run_id/type/ts. Only its shape is checked: z.record walked every key
  // of every payload, 40% of the ingest worker's validation time.
  payload: z.custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), "payload must be an object"),
  hash: z.string().regex(/^[0-9a-f]{64}$/), // sha256 of the original event
  redacted: z.array(z.string()).optional(),
  isError: z.boolean().optional(),
  inputTokens: z.number().int().min(0).optional(),
  outputTokens: z.number().int().min(0).optional(),
  costUsd: z.number().min(0).optional(),
});

export type TimelineEvent = z.infer<typeof timelineEvent>;

export const eventBatchJob = z.object({
  tenantId: z.string().min(1),
  agentId: z.string().min(1),
  receivedAt: z.iso.datetime(),
  requestId: z.string().optional(),
  events: z.array(timelineEvent).min(1).max(1000),
});

export type EventBatchJob = z.infer<typeof eventBatchJob>;
