import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { databaseUrls } from "@/scripts/services";
import { ensureDatabase, migrate } from "./migrate";

const name = `gh_migrate_${process.pid}_${Date.now()}`;
const { adminUrl, appUrl } = databaseUrls(process.env.MIGRATE_DATABASE_URL!, name);

afterAll(async () => {
  const server = new pg.Client({ connectionString: databaseUrls(process.env.MIGRATE_DATABASE_URL!, "postgres").adminUrl });
  await server.connect();
  await server.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await server.end();
});

describe("migrations", () => {
  it("apply to an empty database, then find nothing to do on the existing one", async () => {
    expect(await ensureDatabase(adminUrl)).toBe(true);
    expect(await ensureDatabase(adminUrl)).toBe(false);
    const first = await migrate({ adminUrl, appUrl });
    expect(first.applied.length).toBeGreaterThanOrEqual(2);
    const second = await migrate({ adminUrl, appUrl });
    expect(second).toEqual({ applied: [], alreadyApplied: first.applied.length });

    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    const rls = await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN information_schema.columns col ON col.table_name = c.relname AND col.column_name = 'tenantId'
       WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace AND NOT c.relrowsecurity`,
    );
    await client.end();
    expect(rls.rows.map((r) => r.relname)).toEqual([]); // every tenant-owned table has RLS on
  });

  it("refuse a migration edited after it was applied", async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`UPDATE _gatehouse_migrations SET checksum = 'tampered' WHERE name = (SELECT min(name) FROM _gatehouse_migrations)`);
    await client.end();
    await expect(migrate({ adminUrl, appUrl })).rejects.toThrow(/changed after it was applied/);
  });
});
