import pg from "pg";
import { env } from "@/lib/env";
import type { SqlExecutor } from "./write-event-batch";

/**
 * The process's plain `pg` pool (the application role, so RLS applies as everywhere
 * else), shared by the ingest writer and the evidence jobs (lib/evidence/pg.ts). Why not
 * Prisma here: for 5,000-row array parameters the driver adapter's parameter and result
 * conversion cost about as much as Postgres's insert itself (measured: 410 ms vs 215 ms
 * per 5,000 events), and an evidence export reads a million rows as text.
 * int8 comes back as a decimal string (the driver's default), never a lossy JS number.
 */
const globalPg = globalThis as unknown as { ghIngestPool?: pg.Pool };

export function tenantPgPool(): pg.Pool {
  if (!globalPg.ghIngestPool) {
    globalPg.ghIngestPool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 6 });
    globalPg.ghIngestPool.on("error", () => {}); // a dropped idle client; the next query reconnects
  }
  return globalPg.ghIngestPool;
}

/**
 * `fn` in one transaction with app.tenant_id set, like withTenant (lib/db/tenant.ts); READ
 * ONLY when asked. `client` is for what the executor cannot do (COPY, lib/evidence/pg.ts).
 */
export async function withTenantPg<T>(
  tenantId: string,
  fn: (sql: SqlExecutor, client: pg.PoolClient) => Promise<T>,
  opts: { readOnly?: boolean } = {},
): Promise<T> {
  const client = await tenantPgPool().connect();
  let broken = false;
  // A connection lost mid-transaction (Postgres restarting) is emitted on the checked-out
  // client; without a listener it would crash the worker. The pending query rejects anyway.
  const onError = () => {
    broken = true;
  };
  client.on("error", onError);
  try {
    await client.query(opts.readOnly ? "BEGIN READ ONLY" : "BEGIN");
    await client.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', '', true)", [tenantId]);
    const result = await fn(async <R>(text: string, params: unknown[]) => (await client.query(text, params)).rows as R[], client);
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

export async function closeIngestPool() {
  await globalPg.ghIngestPool?.end();
  globalPg.ghIngestPool = undefined;
}
