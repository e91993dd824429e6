import pg from "pg";
import { env } from "@/lib/env";
import type { SqlExecutor } from "./write-event-batch";

/**
 * The ingest worker's own connection pool (plain `pg`, the application role, so RLS
 * applies as everywhere else). Why not Prisma here: for 5,000-row array parameters the
 * driver adapter's parameter and result conversion cost about as much as Postgres's
 * insert itself (measured: 410 ms vs 215 ms per 5,000 events).
 */
const globalPg = globalThis as unknown as { ghIngestPool?: pg.Pool };

function pool(): pg.Pool {
  if (!globalPg.ghIngestPool) {
    globalPg.ghIngestPool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4 });
    globalPg.ghIngestPool.on("error", () => {}); // a dropped idle client; the next query reconnects
  }
  return globalPg.ghIngestPool;
}

/** `fn` in one transaction with app.tenant_id set, like withTenant (lib/db/tenant.ts). */
export async function withTenantPg<T>(tenantId: string, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  let broken = false;
  // A connection lost mid-transaction (Postgres restarting) is emitted on the checked-out
  // client; without a listener it would crash the worker. The pending query rejects anyway.
  const onError = () => {
    broken = true;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    await client.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', '', true)", [tenantId]);
    const result = await fn(async <R>(text: string, params: unknown[]) => (await client.query(text, params)).rows as R[]);
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
