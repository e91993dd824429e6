/**
 * Evidence (issue 7): 1,000,000 run events (990,000 agent events of four kinds with
 * realistic payloads, 10,000 server decision events with their decisions rows) in one
 * tenant, sealed into a signed digest, then exported by a separate process exactly as
 * the worker does (binary COPY pages → data files → signed manifest → tar.gz). Reports rows/s
 * (target ≥ 50,000/s) and that process's peak RSS over its idle RSS (target < 150 MB),
 * then runs the offline verifier on the bundle.
 */
import { spawnSync } from "node:child_process";
import { rm } from "node:fs/promises";
import os from "node:os";
import pg from "pg";
import { verifyBundle } from "@/scripts/verify-evidence.mjs";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { publicEvidenceKeys } from "@/lib/evidence/keys";
import { closeEvidencePool } from "@/lib/evidence/pg";
import { sealTenantDigest, takeEventMark } from "@/lib/evidence/seal-digests";
import { newId } from "@/lib/ids";
import { createTestAgent, createTestTenant } from "@/lib/testing/factories";
import { benchDatabase } from "./support";

const PAYLOAD = `CASE g % 4
  WHEN 0 THEN jsonb_build_object('model', 'gpt-x', 'input_tokens', 4120, 'output_tokens', 980, 'cost_usd', 0.027, 'latency_ms', 1840)
  WHEN 1 THEN jsonb_build_object('tool', 'stripe', 'operation', 'refunds.create', 'decision_id', 'dec_' || g,
                'args', jsonb_build_object('charge_id', 'ch_' || g, 'amount_cents', 7500, 'reason', 'duplicate'), 'status', 'ok',
                'latency_ms', 184, 'output', jsonb_build_object('id', 're_' || g, 'status', 'succeeded'))
  WHEN 2 THEN jsonb_build_object('system', 'stripe', 'object_type', 'refund', 'object_id', 're_' || g, 'url', 'https://dashboard.stripe.com/refunds/re_' || g)
  ELSE jsonb_build_object('level', 'info', 'message', 'step ' || g || ' finished without error') END`;

/** Seeds `events` run events (of which `decisions` are server decision events with their rows) in a new tenant. */
export async function seedEvidence(owner: pg.Client, { events = 1_000_000, decisions = 10_000 } = {}) {
  const { tenant, owner: ownerCtx } = await createTestTenant();
  const agent = await createTestAgent(tenant.id, ownerCtx.user.id);
  const start = new Date(Date.now() - 40 * 60_000).toISOString();
  const agentEvents = events - decisions;
  const t = performance.now();
  for (let from = 1; from <= agentEvents; from += 250_000) {
    const to = Math.min(agentEvents, from + 249_999);
    await owner.query(
      `INSERT INTO run_events ("tenantId", "runExternalId", "agentId", "eventKey", type, source, ts, "receivedAt", payload, "payloadHash",
                               "isError", "inputTokens", "outputTokens", "costUsd")
       SELECT $1, 'run_' || (g / 1000), $2, 'evt_' || g,
              (ARRAY['model.call', 'tool.call', 'side_effect', 'log'])[g % 4 + 1], 'agent',
              $3::timestamp + g * interval '2 millisecond', $3::timestamp + g * interval '2 millisecond',
              ${PAYLOAD}, md5(g::text) || md5((g + 1)::text), g % 50 = 0,
              CASE WHEN g % 4 = 0 THEN 4120 END, CASE WHEN g % 4 = 0 THEN 980 END, CASE WHEN g % 4 = 0 THEN 0.027 END
         FROM generate_series($4::int, $5::int) g`,
      [tenant.id, agent.id, start, from, to],
    );
  }
  await owner.query(
    `INSERT INTO decisions (id, "tenantId", "agentId", "runExternalId", tool, operation, resource, "actionHash", args, outcome, reasons,
                            "matchedRules", "policyVersion", "createdAt")
     SELECT 'dec_bench_' || g, $1, $2, 'run_' || (g * 99 / 1000), 'stripe', 'refunds.create', '{"type": "charge", "id": "ch_1"}',
            md5('a' || g) || md5('b' || g), jsonb_build_object('charge_id', 'ch_' || g, 'amount_cents', 7500),
            (CASE WHEN g % 5 = 0 THEN 'deny' ELSE 'allow' END)::"DecisionOutcome",
            '[{"code": "allowed_by_rule", "message": "refunds under 100 USD"}]', ARRAY['r1'], 1,
            $3::timestamp + g * interval '150 millisecond'
       FROM generate_series(1, $4::int) g;
     `,
    [tenant.id, agent.id, start, decisions],
  );
  await owner.query(
    `INSERT INTO run_events ("tenantId", "runExternalId", "agentId", "eventKey", type, source, ts, "receivedAt", payload, "payloadHash")
     SELECT $1, d."runExternalId", $2, d.id, 'decision', 'server', d."createdAt", d."createdAt" + interval '5 millisecond',
            jsonb_build_object('decision_id', d.id, 'decision', d.outcome, 'tool', d.tool, 'operation', d.operation, 'policy_version', 1),
            md5(d.id) || md5(d.id)
       FROM decisions d WHERE d."tenantId" = $1`,
    [tenant.id, agent.id],
  );
  await owner.query(`ANALYZE run_events; ANALYZE decisions`);
  return { tenant, ownerCtx, start, seedSeconds: (performance.now() - t) / 1000 };
}

export async function benchEvidence({ events = 1_000_000, decisions = 10_000 } = {}) {
  const cleanup = await benchDatabase();
  const owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await owner.connect();
  try {
    const { tenant, ownerCtx, start, seedSeconds } = await seedEvidence(owner, { events, decisions });
    let t: number;

    t = performance.now();
    const digest = await sealTenantDigest({ tenantId: tenant.id, mark: await takeEventMark() });
    const sealSeconds = (performance.now() - t) / 1000;

    const exportId = newId("exp");
    await withTenant({ tenantId: tenant.id }, (tx) =>
      tx.export.create({
        data: { id: exportId, tenantId: tenant.id, requestedById: ownerCtx.user.id, format: "jsonl", scope: { from: start, to: new Date(Date.now() + 60_000).toISOString(), agentIds: [], runIds: [] } },
      }),
    );
    const child = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "bench/evidence-export.ts", tenant.id, exportId], {
      env: process.env,
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`export process failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split("\n").pop()!) as {
      outcome: string; seconds: number; rows: number; counts: Record<string, number>; bytes: number; file: string; idleRss: number; idleMaxRss: number; peakRss: number;
    };
    if (result.outcome !== "succeeded") throw new Error(`export ${result.outcome}`);

    t = performance.now();
    const keys = await publicEvidenceKeys();
    const verdict = await verifyBundle(result.file, { publicKey: { text: keys[0]!.pem, source: "instance key" } });
    const verifySeconds = (performance.now() - t) / 1000;
    await rm(result.file, { force: true });
    return {
      events: result.counts.events!,
      seedSeconds,
      sealSeconds,
      sealedEvents: digest?.eventCount ?? 0,
      exportSeconds: result.seconds,
      rows: result.rows,
      bytes: result.bytes,
      idleRssMb: result.idleRss / 2 ** 20,
      peakRssMb: result.peakRss / 2 ** 20,
      growthMb: (result.peakRss - result.idleRss) / 2 ** 20,
      verifySeconds,
      verified: verdict.ok,
      problem: verdict.problem,
      load: os.loadavg()[0]!,
    };
  } finally {
    await owner.end();
    await closeEvidencePool();
    await db().$disconnect();
    await cleanup();
  }
}
