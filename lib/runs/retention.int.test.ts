import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { writeEventBatch, type EventToWrite } from "@/lib/ingest/write-event-batch";
import { createTestAgent, createTestTenant, uniq } from "@/lib/testing/factories";
import { PAYLOAD_REMOVED, applyRetention, applyTenantRetention } from "./apply-retention";
import { getDataPolicy, updateDataPolicy } from "./update-data-policy";

const DAY = 86_400_000;
let owner: pg.Client;

beforeAll(async () => {
  owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await owner.connect();
});
afterAll(async () => {
  await owner.end();
  await db().$disconnect();
});

function event(run: string, key: string, agentId: string, receivedAt: Date): EventToWrite {
  return {
    agentId, receivedAt: receivedAt.toISOString(), key, run, type: "tool.call", ts: receivedAt.toISOString(),
    payload: { tool: "stripe", operation: "refunds.create", status: "ok", args: { charge_id: key } }, hash: "a".repeat(64), inputTokens: 10, costUsd: 0.5,
  };
}

describe("retention", () => {
  it("empties payloads past N days, deletes events, keys and runs past M days, per tenant, and records the policy change", async () => {
    const { tenant, owner: ownerCtx } = await createTestTenant();
    const other = await createTestTenant(); // default policy (90/365): untouched
    const agent = await createTestAgent(tenant.id, ownerCtx.user.id);
    const otherAgent = await createTestAgent(other.tenant.id, other.owner.user.id);
    expect(await getDataPolicy({ tenantId: tenant.id })).toEqual({ retention: { payloadDays: 90, metadataDays: 365 }, redaction: { paths: [] } });
    await updateDataPolicy({ actor: ownerCtx, policy: { retention: { payloadDays: 2, metadataDays: 5 }, redaction: { paths: ["args.card"] } } });
    expect(await getDataPolicy({ tenantId: tenant.id })).toEqual({ retention: { payloadDays: 2, metadataDays: 5 }, redaction: { paths: ["args.card"] } });
    const audit = await withTenant({ tenantId: tenant.id }, (tx) => tx.auditEntry.findFirst({ where: { tenantId: tenant.id, action: "tenant.data_policy_changed" } }));
    expect(audit?.after).toMatchObject({ retention: { payloadDays: 2, metadataDays: 5 } });

    const now = Date.now();
    const [oldRun, midRun, newRun] = [`run_old_${uniq()}`, `run_mid_${uniq()}`, `run_new_${uniq()}`];
    await withTenant({ tenantId: tenant.id }, (tx) =>
      writeEventBatch(tx, {
        tenantId: tenant.id,
        source: "agent",
        events: [
          event(oldRun, "o1", agent.id, new Date(now - 7 * DAY)),
          event(midRun, "m1", agent.id, new Date(now - 3 * DAY)),
          event(newRun, "n1", agent.id, new Date(now - 1 * DAY)),
        ],
      }),
    );
    await withTenant({ tenantId: other.tenant.id }, (tx) =>
      writeEventBatch(tx, { tenantId: other.tenant.id, source: "agent", events: [event(oldRun, "o1", otherAgent.id, new Date(now - 7 * DAY))] }),
    );

    const result = await applyTenantRetention({ tenantId: tenant.id });
    expect(result).toMatchObject({ eventsDeleted: 1, keysDeleted: 1, runsDeleted: 1, payloadsRemoved: 1 });
    const rows = await owner.query<{ runExternalId: string; payload: object; redacted: unknown; costUsd: string }>(
      `SELECT "runExternalId", payload, redacted, "costUsd" FROM run_events WHERE "tenantId" = $1 ORDER BY ts`,
      [tenant.id],
    );
    expect(rows.rows).toEqual([
      { runExternalId: midRun, payload: {}, redacted: PAYLOAD_REMOVED, costUsd: "0.500000" }, // metadata kept
      expect.objectContaining({ runExternalId: newRun, payload: expect.objectContaining({ tool: "stripe" }), redacted: null }),
    ]);
    const runs = await owner.query(`SELECT "externalId" FROM runs WHERE "tenantId" = $1 ORDER BY "externalId"`, [tenant.id]);
    expect(runs.rows.map((r) => r.externalId).sort()).toEqual([midRun, newRun].sort());
    const keys = await owner.query(`SELECT "eventKey" FROM run_event_keys WHERE "tenantId" = $1 ORDER BY 1`, [tenant.id]);
    expect(keys.rows.map((r) => r.eventKey)).toEqual(["m1", "n1"]);
    // Idempotent: nothing more to do.
    expect(await applyTenantRetention({ tenantId: tenant.id })).toMatchObject({ eventsDeleted: 0, payloadsRemoved: 0, runsDeleted: 0 });
    // The other tenant keeps its week-old event.
    expect((await owner.query(`SELECT count(*)::int AS n FROM run_events WHERE "tenantId" = $1`, [other.tenant.id])).rows[0].n).toBe(1);
  });

  it("drops whole day partitions that no tenant keeps any more", async () => {
    const { tenant, owner: ownerCtx } = await createTestTenant();
    const agent = await createTestAgent(tenant.id, ownerCtx.user.id);
    const ancient = new Date(Date.UTC(2021, 0, 15, 12));
    await owner.query(`SELECT ensure_run_event_partitions('2021-01-15', 1)`);
    await withTenant({ tenantId: tenant.id }, (tx) =>
      writeEventBatch(tx, { tenantId: tenant.id, source: "agent", events: [event(`run_${uniq()}`, "a1", agent.id, ancient)] }),
    );
    expect((await owner.query(`SELECT to_regclass('run_events_p20210115') AS t`)).rows[0].t).toBe("run_events_p20210115");
    const result = await applyRetention();
    expect(result.droppedPartitions).toContain("run_events_p20210115");
    expect((await owner.query(`SELECT to_regclass('run_events_p20210115') AS t`)).rows[0].t).toBeNull();
    // Today's partition stays.
    const today = new Date().toISOString().slice(0, 10).replaceAll("-", "");
    expect((await owner.query(`SELECT to_regclass($1) AS t`, [`run_events_p${today}`])).rows[0].t).not.toBeNull();
  });
});
