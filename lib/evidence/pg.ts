import pg from "pg";
import { env } from "@/lib/env";

/**
 * Evidence reads through plain `pg` (the application role, so RLS applies as everywhere):
 * timestamps and decimals come out as text formatted by Postgres, JSON as its text, so a
 * million rows are streamed without Prisma's per-row conversion. Each page runs in its own
 * short read-only transaction with app.tenant_id set (keyset pagination, never a long
 * transaction holding the export).
 */
const globalPg = globalThis as unknown as { ghEvidencePool?: pg.Pool };

// int8 as text (ids), never as a lossy JS number; everything else the driver's default.
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (value: string) => value : pg.types.getTypeParser(oid, format as "text"),
};

export function evidencePool(): pg.Pool {
  if (!globalPg.ghEvidencePool) {
    globalPg.ghEvidencePool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 3, types });
    globalPg.ghEvidencePool.on("error", () => {}); // a dropped idle client; the next query reconnects
  }
  return globalPg.ghEvidencePool;
}

export type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** `fn` in one transaction with the tenant set; read-only unless `write`. */
export async function withTenantQuery<T>(tenantId: string, fn: (query: Query) => Promise<T>, opts: { write?: boolean } = {}): Promise<T> {
  const client = await evidencePool().connect();
  let broken = false;
  const onError = () => {
    broken = true;
  };
  client.on("error", onError);
  try {
    await client.query(opts.write ? "BEGIN" : "BEGIN READ ONLY");
    await client.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', '', true)", [tenantId]);
    const result = await fn(async <R>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as R[]);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

export async function closeEvidencePool() {
  await globalPg.ghEvidencePool?.end();
  globalPg.ghEvidencePool = undefined;
}

/** ISO 8601 with milliseconds, as JavaScript's toISOString writes it (columns are UTC timestamps). */
export const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A run event with the decision recorded in the same transaction, JSON left as text. */
export type RawEvent = {
  id: string;
  agentId: string;
  runExternalId: string;
  eventKey: string;
  type: string;
  source: string;
  ts: string;
  receivedAt: string;
  payload: string;
  payloadHash: string;
  redacted: string | null;
  isError: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: string | null;
  dId: string | null;
  dAgentId: string | null;
  dRunExternalId: string | null;
  dTool: string | null;
  dOperation: string | null;
  dResource: string | null;
  dActionHash: string | null;
  dArgs: string | null;
  dOutcome: string | null;
  dReasons: string | null;
  dMatchedRules: string | null;
  dShadow: string | null;
  dPolicyVersion: number | null;
  dApprovalId: string | null;
  dCreatedAt: string | null;
};

const EVENT_COLUMNS = `
  e.id, e."agentId", e."runExternalId", e."eventKey", e.type, e.source, ${iso("e.ts")} AS ts, ${iso('e."receivedAt"')} AS "receivedAt",
  e.payload::text AS payload, e."payloadHash", e.redacted::text AS redacted, e."isError", e."inputTokens", e."outputTokens",
  e."costUsd"::text AS "costUsd",
  d.id AS "dId", d."agentId" AS "dAgentId", d."runExternalId" AS "dRunExternalId", d.tool AS "dTool", d.operation AS "dOperation",
  d.resource::text AS "dResource", d."actionHash" AS "dActionHash", d.args::text AS "dArgs", d.outcome::text AS "dOutcome",
  d.reasons::text AS "dReasons", to_jsonb(d."matchedRules")::text AS "dMatchedRules", d.shadow::text AS "dShadow",
  d."policyVersion" AS "dPolicyVersion", d."approvalId" AS "dApprovalId", ${iso('d."createdAt"')} AS "dCreatedAt"`;

const EVENT_JOIN = `FROM run_events e
  LEFT JOIN decisions d ON e.type = 'decision' AND e.source = 'server' AND d."tenantId" = e."tenantId" AND d.id = e."eventKey"`;

/** One keyset page of a tenant's events with after < id <= upTo, in id order. */
export async function eventPage(tenantId: string, after: string, upTo: string, limit: number): Promise<RawEvent[]> {
  return withTenantQuery(tenantId, (q) =>
    q<RawEvent>(
      `SELECT ${EVENT_COLUMNS} ${EVENT_JOIN}
        WHERE e."tenantId" = $1 AND e.id > $2::bigint AND e.id <= $3::bigint ORDER BY e.id LIMIT $4`,
      [tenantId, after, upTo, limit],
    ),
  );
}

/** One keyset page of the events received in [from, to) with id > after (the unsealed tail). */
export async function eventPageByTime(tenantId: string, after: string, from: string, to: string, limit: number): Promise<RawEvent[]> {
  return withTenantQuery(tenantId, (q) =>
    q<RawEvent>(
      `SELECT ${EVENT_COLUMNS} ${EVENT_JOIN}
        WHERE e."tenantId" = $1 AND e.id > $2::bigint AND e."receivedAt" >= $3::timestamp AND e."receivedAt" < $4::timestamp
        ORDER BY e.id LIMIT $5`,
      [tenantId, after, from.replace("Z", ""), to.replace("Z", ""), limit],
    ),
  );
}

/**
 * Iterates pages of `fetch(after)` by id until one comes back short. The next page is
 * fetched while the caller works on the current one (Postgres and Node overlap on two
 * cores); at most two pages are in memory.
 */
export async function* keyset<T extends { id: string }>(fetch: (after: string) => Promise<T[]>, start: string, limit: number) {
  let pending = fetch(start);
  for (;;) {
    const page = await pending;
    if (page.length < limit) {
      if (page.length) yield page;
      return;
    }
    pending = fetch(page[page.length - 1]!.id);
    pending.catch(() => {}); // if the caller stops early (cancel), an abandoned prefetch must not crash the process
    yield page;
  }
}
