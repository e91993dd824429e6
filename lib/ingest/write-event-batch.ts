import type { Tx } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { UPSERT_STATS, statsDeltas, statsParams } from "@/lib/runs/run-stats";
import { summarizeRuns, type RunDelta } from "./summarize-runs";
import type { TimelineEvent } from "./timeline-event";

export type EventToWrite = TimelineEvent & { agentId: string; receivedAt: string };

/** Runs one SQL statement in the caller's tenant transaction (Prisma's, or a plain pg client's). */
export type SqlExecutor = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** The executor of a Prisma transaction (withTenant). */
export const prismaExecutor =
  (tx: Tx): SqlExecutor =>
  <T>(sql: string, params: unknown[]) =>
    tx.$queryRawUnsafe<T[]>(sql, ...params);

/**
 * Inserts keys and events in one statement: the key table's primary key decides what is
 * new (ON CONFLICT DO NOTHING … RETURNING), and only those rows become events. Input is
 * sorted by key so concurrent writers take index locks in the same order.
 * The events arrive as one JSON array ($2), serialized as they are (the record's columns
 * are named after EventToWrite's fields): JSON.stringify is native, where thirteen array
 * parameters cost the worker more CPU (node-postgres escapes every element) than Postgres
 * spent parsing them. As jsonb it is parsed once; each payload is then a copy, not a re-parse.
 */
const INSERT_EVENTS = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS t("agentId" text, key text, run text, type text, ts timestamp(3), "receivedAt" timestamp(3), payload jsonb, hash text,
         redacted jsonb, "isError" boolean, "inputTokens" int, "outputTokens" int, "costUsd" numeric)
), keys AS (
  INSERT INTO run_event_keys ("agentId", "source", "eventKey", "tenantId", "receivedAt")
  SELECT "agentId", $3, key, $1, "receivedAt" FROM input
  ON CONFLICT DO NOTHING
  RETURNING "agentId", "eventKey"
), events AS (
  INSERT INTO run_events ("tenantId", "runExternalId", "agentId", "eventKey", "type", "source", "ts", "receivedAt",
                          "payload", "payloadHash", "redacted", "isError", "inputTokens", "outputTokens", "costUsd")
  SELECT $1, i.run, i."agentId", i.key, i.type, $3, i.ts, i."receivedAt", i.payload, i.hash, NULLIF(i.redacted, '[]'::jsonb),
         coalesce(i."isError", false), i."inputTokens", i."outputTokens", i."costUsd"
    FROM input i JOIN keys k ON k."agentId" = i."agentId" AND k."eventKey" = i.key
  RETURNING 1
)
SELECT "agentId", "eventKey" FROM keys`;

/** Adds each run's delta to its summary row, creating the row on a run's first event. */
const UPSERT_RUNS = `
INSERT INTO runs (id, "tenantId", "agentId", "externalId", status, outcome, "startedAt", "finishedAt", "eventCount", "toolCalls",
                  "errorCount", "inputTokens", "outputTokens", "costUsd", "policyVersion", "decisionCount", "denialCount",
                  "approvalCount", "sideEffectCount", "lastEventAt", "firstReceivedAt", "lastReceivedAt", meta, "updatedAt")
SELECT u.id, $1, u.agent, u.run, (CASE WHEN u.finished IS NULL THEN 'running' ELSE 'finished' END)::"RunStatus", u.outcome,
       u.first_ts, u.finished, u.events, u.tool_calls, u.errors, u.in_tok, u.out_tok, u.cost_micros::numeric / 1000000,
       u.policy_version, u.decisions, u.denials, u.approvals, u.side_effects, u.last_ts, u.first_recv, u.last_recv, u.meta,
       CURRENT_TIMESTAMP
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamp(3)[], $7::timestamp(3)[], $8::int[], $9::int[],
              $10::int[], $11::bigint[], $12::bigint[], $13::bigint[], $14::int[], $15::int[], $16::int[], $17::int[], $18::int[],
              $19::timestamp(3)[], $20::timestamp(3)[], $21::timestamp(3)[], $22::jsonb[])
    AS u(id, agent, run, outcome, first_ts, finished, events, tool_calls, errors, in_tok, out_tok, cost_micros, policy_version,
         decisions, denials, approvals, side_effects, last_ts, first_recv, last_recv, meta)
ON CONFLICT ("tenantId", "externalId") DO UPDATE SET
  status = CASE WHEN EXCLUDED."finishedAt" IS NOT NULL THEN 'finished'::"RunStatus" ELSE runs.status END,
  outcome = CASE WHEN EXCLUDED."finishedAt" IS NOT NULL AND (runs."finishedAt" IS NULL OR EXCLUDED."finishedAt" >= runs."finishedAt")
                 THEN EXCLUDED.outcome ELSE runs.outcome END,
  "finishedAt" = GREATEST(runs."finishedAt", EXCLUDED."finishedAt"),
  "startedAt" = LEAST(runs."startedAt", EXCLUDED."startedAt"),
  "eventCount" = runs."eventCount" + EXCLUDED."eventCount",
  "toolCalls" = runs."toolCalls" + EXCLUDED."toolCalls",
  "errorCount" = runs."errorCount" + EXCLUDED."errorCount",
  "inputTokens" = runs."inputTokens" + EXCLUDED."inputTokens",
  "outputTokens" = runs."outputTokens" + EXCLUDED."outputTokens",
  "costUsd" = runs."costUsd" + EXCLUDED."costUsd",
  "policyVersion" = COALESCE(EXCLUDED."policyVersion", runs."policyVersion"),
  "decisionCount" = runs."decisionCount" + EXCLUDED."decisionCount",
  "denialCount" = runs."denialCount" + EXCLUDED."denialCount",
  "approvalCount" = runs."approvalCount" + EXCLUDED."approvalCount",
  "sideEffectCount" = runs."sideEffectCount" + EXCLUDED."sideEffectCount",
  "lastEventAt" = GREATEST(runs."lastEventAt", EXCLUDED."lastEventAt"),
  "firstReceivedAt" = LEAST(runs."firstReceivedAt", EXCLUDED."firstReceivedAt"),
  "lastReceivedAt" = GREATEST(runs."lastReceivedAt", EXCLUDED."lastReceivedAt"),
  meta = COALESCE(runs.meta, EXCLUDED.meta),
  "updatedAt" = CURRENT_TIMESTAMP
RETURNING "externalId", "costUsd"::float8 AS "costUsd"`;

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * Stores events of one tenant exactly once and maintains their runs' summaries, inside
 * the caller's transaction (which must be `withTenant` for `tenantId`). Returns how many
 * were new; the rest were already stored (same agent, source and id).
 */
export async function writeEventBatch(
  tx: Tx | SqlExecutor,
  input: { tenantId: string; source: "agent" | "server"; events: EventToWrite[] },
): Promise<{ inserted: number; duplicates: number; runs: RunDelta[] }> {
  const unique = new Map<string, EventToWrite>();
  for (const e of input.events) {
    const id = storedKey(e.agentId, e.key);
    if (!unique.has(id)) unique.set(id, e);
  }
  const events = [...unique.values()].sort((a, b) => (a.agentId === b.agentId ? cmp(a.key, b.key) : cmp(a.agentId, b.agentId)));
  if (events.length === 0) return { inserted: 0, duplicates: input.events.length, runs: [] };

  const sql: SqlExecutor = typeof tx === "function" ? tx : prismaExecutor(tx);
  const rows = await sql<{ agentId: string; eventKey: string }>(INSERT_EVENTS, [input.tenantId, JSON.stringify(events), input.source]);
  // Usually every event is new: no set of 5,000 composite keys to build then.
  let fresh = events;
  if (rows.length < events.length) {
    const stored = new Set(rows.map((r) => storedKey(r.agentId, r.eventKey)));
    fresh = events.filter((e) => stored.has(storedKey(e.agentId, e.key)));
  }
  const runs = summarizeRuns(fresh);
  if (runs.length) {
    const received = new Map<string, { first: string; last: string }>();
    for (const e of fresh) {
      const r = received.get(e.run);
      if (!r) received.set(e.run, { first: e.receivedAt, last: e.receivedAt });
      else {
        if (e.receivedAt < r.first) r.first = e.receivedAt;
        if (e.receivedAt > r.last) r.last = e.receivedAt;
      }
    }
    const upserted = await sql<{ externalId: string; costUsd: number }>(UPSERT_RUNS, [
      input.tenantId,
      runs.map(() => newId("run")),
      runs.map((r) => r.agentId),
      runs.map((r) => r.run),
      runs.map((r) => r.outcome),
      runs.map((r) => r.firstTs),
      runs.map((r) => r.finishedAt),
      runs.map((r) => r.events),
      runs.map((r) => r.toolCalls),
      runs.map((r) => r.errors),
      runs.map((r) => r.inputTokens),
      runs.map((r) => r.outputTokens),
      runs.map((r) => r.costMicros),
      runs.map((r) => r.policyVersion),
      runs.map((r) => r.decisions),
      runs.map((r) => r.denials),
      runs.map((r) => r.approvals),
      runs.map((r) => r.sideEffects),
      runs.map((r) => r.lastTs),
      runs.map((r) => received.get(r.run)!.first),
      runs.map((r) => received.get(r.run)!.last),
      runs.map((r) => json(r.meta)),
    ]);
    // Hourly statistics (Overview): finished runs contribute their total cost as of now.
    const finished = new Set(runs.filter((r) => r.finishedAt).map((r) => r.run));
    const finishedCost = new Map(upserted.filter((u) => finished.has(u.externalId)).map((u) => [u.externalId, Number(u.costUsd)]));
    const stats = statsDeltas(fresh, finishedCost);
    if (stats.length) await sql(UPSERT_STATS, statsParams(input.tenantId, stats));
  }
  return { inserted: fresh.length, duplicates: input.events.length - fresh.length, runs };
}

/** An event's identity in the key table (the source is the batch's): agent and event id. */
const storedKey = (agentId: string, eventKey: string) => `${agentId}\u0000${eventKey}`;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
