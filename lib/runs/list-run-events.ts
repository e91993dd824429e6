import { z } from "zod";
import type { Tx } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { notFound } from "@/lib/errors";
import { decodeCursor, encodeCursor } from "./cursor";
import { findRun } from "./get-run";

export const runEventsQuery = z.object({
  after: z.string().max(200).optional().meta({ description: "Cursor from the previous page's `next`" }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** The console also seeks by position (offset), to jump anywhere in a 100,000-event run. */
export const consoleRunEventsQuery = runEventsQuery.extend({
  offset: z.coerce.number().int().min(0).max(100_000_000).optional(),
});

type Row = {
  id: bigint;
  eventKey: string;
  runExternalId: string;
  agentId: string;
  type: string;
  source: string;
  ts: Date;
  receivedAt: Date;
  payload: Record<string, unknown>;
  payloadHash: string;
  redacted: string[] | null;
};

/** One timeline event as the API shows it: the agent's fields back, plus what the server knows. */
export type ApiEvent = {
  [field: string]: unknown; // the agent's own payload fields
  id: string;
  run_id: string;
  type: string;
  ts: string;
  source: "agent" | "server";
  agent_id: string;
  received_at: string;
  payload_sha256: string;
  redacted?: string[];
};

export function toApiEvent(r: Row): ApiEvent {
  return {
    ...r.payload,
    id: r.eventKey,
    run_id: r.runExternalId,
    type: r.type,
    ts: r.ts.toISOString(),
    source: r.source as "agent" | "server",
    agent_id: r.agentId,
    received_at: r.receivedAt.toISOString(),
    payload_sha256: r.payloadHash,
    ...(r.redacted?.length ? { redacted: r.redacted } : {}),
  };
}

const COLUMNS = `id, "eventKey", "runExternalId", "agentId", type, source, ts, "receivedAt", payload, "payloadHash", redacted`;

/**
 * A page of the run's timeline in (ts, id) order. The run's receipt range bounds
 * "receivedAt", so Postgres only opens the day partitions that hold this run.
 */
export async function readTimeline(
  tx: Tx,
  run: { tenantId: string; externalId: string; firstReceivedAt: Date | null; lastReceivedAt: Date | null },
  page: { after?: string; offset?: number; limit: number },
): Promise<{ rows: Row[]; more: boolean }> {
  const params: unknown[] = [run.tenantId, run.externalId];
  let where = `"tenantId" = $1 AND "runExternalId" = $2`;
  if (run.firstReceivedAt && run.lastReceivedAt) {
    params.push(run.firstReceivedAt.toISOString(), run.lastReceivedAt.toISOString());
    where += ` AND "receivedAt" >= $3::timestamp(3) AND "receivedAt" <= $4::timestamp(3)`;
  }
  if (page.after) {
    const c = decodeCursor(page.after);
    params.push(c.ts, c.id);
    where += ` AND (ts, id) > ($${params.length - 1}::timestamp(3), $${params.length}::bigint)`;
  }
  params.push(page.limit + 1);
  let sql = `SELECT ${COLUMNS} FROM run_events WHERE ${where} ORDER BY ts, id LIMIT $${params.length}`;
  if (page.offset) {
    params.push(page.offset);
    sql += ` OFFSET $${params.length}`;
  }
  const rows = await tx.$queryRawUnsafe<Row[]>(sql, ...params);
  return { rows: rows.slice(0, page.limit), more: rows.length > page.limit };
}

/**
 * GET /api/v1/runs/{run_id}/events: keyset-paginated, server records marked "server".
 * An agent (`agentId`) reads only its own runs; another agent's is a 404.
 */
export async function listRunEvents(input: { tenantId: string; agentId?: string; externalId: string; after?: string; limit: number }) {
  return withTenant({ tenantId: input.tenantId }, async (tx) => {
    const run = await findRun(tx, input.tenantId, { externalId: input.externalId });
    if (!run || (input.agentId && run.agentId !== input.agentId)) throw notFound("Run");
    const { rows, more } = await readTimeline(tx, run, input);
    const last = rows.at(-1);
    return { events: rows.map(toApiEvent), next: more && last ? encodeCursor({ ts: last.ts.toISOString(), id: last.id.toString() }) : null };
  });
}

/** The console's timeline page: by cursor or by position, each event with its position. */
export async function listConsoleRunEvents(input: { tenantId: string; runId: string; after?: string; offset?: number; limit: number }) {
  return withTenant({ tenantId: input.tenantId }, async (tx) => {
    const run = await findRun(tx, input.tenantId, { id: input.runId });
    if (!run) throw notFound("Run");
    const { rows, more } = await readTimeline(tx, run, input);
    const last = rows.at(-1);
    return {
      offset: input.offset ?? null,
      events: rows.map((r): ApiEvent & { seq: string } => ({ ...toApiEvent(r), seq: r.id.toString() })),
      next: more && last ? encodeCursor({ ts: last.ts.toISOString(), id: last.id.toString() }) : null,
    };
  });
}
