/**
 * Applies prisma/migrations/<name>/migration.sql in order, once each, and records them.
 *
 * Why not `prisma migrate deploy`: offline, Prisma 6.19 runs its wasm schema engine
 * through @prisma/adapter-pg, whose executeScript splits SQL on ";" (breaking PL/pgSQL
 * bodies such as the audit-log triggers) and which trips on `name` columns
 * (prisma/orm#27403). `prisma migrate diff` still writes new migrations (README).
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export const APP_ROLE = "gatehouse_app";
const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");

export type MigrateResult = { applied: string[]; alreadyApplied: number };

/** Creates the database named in `adminUrl` if it does not exist yet. Returns true if created. */
export async function ensureDatabase(adminUrl: string): Promise<boolean> {
  const url = new URL(adminUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    return true;
  } finally {
    await client.end();
  }
}

/** Ensures the application role exists: it can log in, owns nothing and cannot bypass RLS. */
async function ensureAppRole(client: pg.Client, appUrl: string | undefined) {
  const password = appUrl ? decodeURIComponent(new URL(appUrl).password) : "";
  await client.query(`SELECT pg_advisory_lock(4242)`);
  try {
    const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [APP_ROLE]);
    if (!exists.rowCount) await client.query(`CREATE ROLE ${APP_ROLE} LOGIN NOBYPASSRLS`);
    if (password) {
      await client.query(`ALTER ROLE ${APP_ROLE} PASSWORD ${pg.escapeLiteral(password)}`);
    }
  } finally {
    await client.query(`SELECT pg_advisory_unlock(4242)`);
  }
}

export async function migrate(opts: { adminUrl: string; appUrl?: string; log?: (line: string) => void }): Promise<MigrateResult> {
  const log = opts.log ?? (() => {});
  const client = new pg.Client({ connectionString: opts.adminUrl });
  await client.connect();
  try {
    await ensureAppRole(client, opts.appUrl);
    await client.query(`SELECT pg_advisory_lock(4243)`);
    await client.query(`CREATE TABLE IF NOT EXISTS _gatehouse_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (await client.query<{ name: string; checksum: string }>("SELECT name, checksum FROM _gatehouse_migrations")).rows.map(
        (r) => [r.name, r.checksum],
      ),
    );
    const names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const applied: string[] = [];
    for (const name of names) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      const previous = done.get(name);
      if (previous) {
        if (previous !== checksum) throw new Error(`Migration ${name} was changed after it was applied`);
        continue;
      }
      log(`applying ${name}`);
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query("INSERT INTO _gatehouse_migrations (name, checksum) VALUES ($1, $2)", [name, checksum]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
      }
      applied.push(name);
    }
    return { applied, alreadyApplied: done.size };
  } finally {
    await client.query(`SELECT pg_advisory_unlock_all()`).catch(() => {});
    await client.end();
  }
}
