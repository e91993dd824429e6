import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import { createTestTenant } from "@/lib/testing/factories";
import { appendAuditEntry } from "./append-audit-entry";
import { GENESIS_HASH } from "./chain";
import { listAuditEntries, auditQuery } from "./list-audit-entries";
import { recordAuditVerification } from "./record-verification";
import { verifyAuditChain } from "./verify-audit-chain";

const owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
await owner.connect();
await app.connect();
afterAll(async () => {
  await owner.end();
  await app.end();
});

const actor = { type: "user" as const, id: "u_1", label: "admin@example.test" };

async function append(tenantId: string, n: number) {
  for (let i = 0; i < n; i++) {
    await withTenant({ tenantId }, (tx) =>
      appendAuditEntry(tx, { tenantId, actor, action: "test.changed", target: { type: "thing", id: `t${i}` }, before: { i }, after: { i: i + 1, nested: { b: 1, a: [1, 2] } } }),
    );
  }
}

describe("audit log", () => {
  it("chains entries per tenant and verifies them", async () => {
    const { tenant } = await createTestTenant(); // tenant.created is entry #1
    await append(tenant.id, 5);
    const result = await verifyAuditChain({ tenantId: tenant.id });
    expect(result).toMatchObject({ ok: true, checked: 6, headSeq: 6n });
  });

  it("keeps one unbroken chain under concurrent writers", async () => {
    const { tenant } = await createTestTenant();
    await Promise.all(Array.from({ length: 8 }, () => append(tenant.id, 3)));
    expect(await verifyAuditChain({ tenantId: tenant.id })).toMatchObject({ ok: true, checked: 25 });
  });

  it("refuses UPDATE, DELETE and TRUNCATE from the application role", async () => {
    const { tenant } = await createTestTenant();
    await app.query("BEGIN");
    await app.query("SELECT set_config('app.tenant_id', $1, true)", [tenant.id]);
    await expect(app.query("UPDATE audit_entries SET action = 'x'")).rejects.toThrow(/permission denied/);
    await app.query("ROLLBACK");
    await app.query("BEGIN");
    await app.query("SELECT set_config('app.tenant_id', $1, true)", [tenant.id]);
    await expect(app.query("DELETE FROM audit_entries")).rejects.toThrow(/permission denied/);
    await app.query("ROLLBACK");
    await expect(app.query("TRUNCATE audit_entries")).rejects.toThrow(/permission denied|append-only/);
  });

  it("refuses UPDATE and DELETE even from the table owner (trigger)", async () => {
    const { tenant } = await createTestTenant();
    await expect(owner.query(`UPDATE audit_entries SET action = 'x' WHERE "tenantId" = $1`, [tenant.id])).rejects.toThrow(/append-only/);
    await expect(owner.query(`DELETE FROM audit_entries WHERE "tenantId" = $1`, [tenant.id])).rejects.toThrow(/append-only/);
  });

  it("refuses an insert that does not link to the tenant's head", async () => {
    const { tenant } = await createTestTenant();
    const insert = (seq: number, prev: string) =>
      owner.query(
        `INSERT INTO audit_entries (id, "tenantId", seq, "actorType", "actorLabel", action, "targetType", "prevHash", hash)
         VALUES ($1, $2, $3, 'system', 'x', 'forged', 'x', $4, $5)`,
        [`aud_forged_${seq}_${Date.now()}`, tenant.id, seq, prev, "f".repeat(64)],
      );
    await expect(insert(2, GENESIS_HASH)).rejects.toThrow(/chain link broken/);
    await expect(insert(5, "a".repeat(64))).rejects.toThrow(/chain link broken/);
  });

  it("detects an entry altered behind the application's back", async () => {
    const { tenant } = await createTestTenant();
    await append(tenant.id, 3);
    // A superuser with the triggers off is the attacker the hash chain exists for.
    await owner.query("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_update");
    try {
      await owner.query(`UPDATE audit_entries SET after = '{"i": 999}' WHERE "tenantId" = $1 AND seq = 3`, [tenant.id]);
    } finally {
      await owner.query("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_update");
    }
    const verification = await recordAuditVerification({ tenantId: tenant.id, trigger: "manual" });
    expect(verification).toMatchObject({ ok: false, brokenAtSeq: 3n });
    expect(verification.problem).toMatch(/altered/);
  });

  it("detects a deleted entry", async () => {
    const { tenant } = await createTestTenant();
    await append(tenant.id, 3);
    await owner.query("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_update");
    try {
      await owner.query(`DELETE FROM audit_entries WHERE "tenantId" = $1 AND seq = 2`, [tenant.id]);
    } finally {
      await owner.query("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_update");
    }
    expect(await verifyAuditChain({ tenantId: tenant.id })).toMatchObject({ ok: false, brokenAtSeq: 3n });
  });

  it("lists newest first with filters and keyset pagination", async () => {
    const { tenant } = await createTestTenant();
    await append(tenant.id, 5);
    const first = await listAuditEntries({ tenantId: tenant.id, query: auditQuery.parse({ limit: "4" }) });
    expect(first.entries.map((e) => e.seq)).toEqual(["6", "5", "4", "3"]);
    expect(first.next).toBe("3");
    const second = await listAuditEntries({ tenantId: tenant.id, query: auditQuery.parse({ limit: "4", before: first.next! }) });
    expect(second.entries.map((e) => e.seq)).toEqual(["2", "1"]);
    expect(second.next).toBeNull();
    const filtered = await listAuditEntries({ tenantId: tenant.id, query: auditQuery.parse({ action: "tenant." }) });
    expect(filtered.entries.map((e) => e.action)).toEqual(["tenant.created"]);
  });
});
