/**
 * `npm run secrets:rotate` re-seals the vault too (current and previous secret). Runs in a
 * database of its own: re-sealing under another master key would pull the keys from under
 * the other test files.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { ensureDatabase, migrate } from "@/lib/db/migrate";
import { withTenant } from "@/lib/db/tenant";
import { generateMasterKey, openSecret } from "@/lib/secrets/envelope";
import { rotateStoredSecrets } from "@/lib/secrets/rotate-secrets";
import { createTestTenant } from "@/lib/testing/factories";
import { createConnection } from "./create-connection";
import { rotateConnection } from "./rotate-connection";
import { secretContext } from "./schemas";

const saved = { ...process.env };
let adminUrl = "";

beforeAll(async () => {
  const name = `${new URL(process.env.MIGRATE_DATABASE_URL!).pathname.slice(1)}_con${randomBytes(2).toString("hex")}`;
  const admin = new URL(process.env.MIGRATE_DATABASE_URL!);
  admin.pathname = `/${name}`;
  const app = new URL(process.env.DATABASE_URL!);
  app.pathname = `/${name}`;
  adminUrl = admin.toString();
  await ensureDatabase(adminUrl);
  await migrate({ adminUrl, appUrl: app.toString() });
  Object.assign(process.env, { DATABASE_URL: app.toString(), MIGRATE_DATABASE_URL: adminUrl, GATEHOUSE_MASTER_KEY: generateMasterKey() });
  delete process.env.GATEHOUSE_MASTER_KEYS_OLD;
}, 60_000);

afterAll(async () => {
  await db().$disconnect();
  process.env = { ...saved };
  const server = new URL(adminUrl);
  const database = server.pathname.slice(1);
  server.pathname = "/postgres";
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  await client.end();
});

describe("secrets:rotate and the vault", () => {
  it("re-seals connection secrets, current and previous, under the new master key", async () => {
    const { tenant, owner } = await createTestTenant();
    const created = await createConnection({ actor: owner, request: { name: "c", kind: "bearer", secret: "the-old-one", allowedHosts: ["api.example.com"] } });
    await rotateConnection({ actor: owner, connectionId: created.id, secret: "the-new-one", overlapSeconds: 600 });
    const keyA = process.env.GATEHOUSE_MASTER_KEY!;
    Object.assign(process.env, { GATEHOUSE_MASTER_KEY: generateMasterKey(), GATEHOUSE_MASTER_KEYS_OLD: keyA });
    const report = await rotateStoredSecrets();
    expect(report.connections).toMatchObject({ resealed: 2, failed: [] });
    delete process.env.GATEHOUSE_MASTER_KEYS_OLD; // only the new key from here on
    const row = await withTenant({ tenantId: tenant.id }, (tx) => tx.connection.findUniqueOrThrow({ where: { id: created.id } }));
    const context = secretContext(tenant.id, created.id);
    expect([openSecret(row.sealedSecret, context), openSecret(row.previousSealed!, context)]).toEqual(["the-new-one", "the-old-one"]);
    expect((await rotateStoredSecrets()).connections).toMatchObject({ resealed: 0, alreadyCurrent: 2 });
  });
});
