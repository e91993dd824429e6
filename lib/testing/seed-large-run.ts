/**
 * Seeds one large, realistic run straight into Postgres (as the schema owner), for the
 * e2e timeline test and the run-page benchmark: 100,000 events through the API take
 * minutes on this machine, and those paths have their own tests. The events follow the
 * API's shapes: a decision (server-attested) every 10 events, model calls with tokens
 * and cost, tool calls linked to their decision (some failing, args redacted), side
 * effects linked to their tool call, logs; the run summary is computed from them.
 * Plain `pg` only, so Playwright can import it without the app's module aliases.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export type SeededRun = { tenantId: string; agentId: string; runId: string; externalId: string; events: number; startedAt: Date };

export async function seedLargeRun(opts: { ownerUrl: string; tenantSlug: string; events?: number; agentName?: string }): Promise<SeededRun> {
  const n = opts.events ?? 100_000;
  const client = new pg.Client({ connectionString: opts.ownerUrl });
  await client.connect();
  try {
    const tenant = await client.query<{ id: string }>(`SELECT id FROM tenants WHERE slug = $1`, [opts.tenantSlug]);
    const tenantId = tenant.rows[0]?.id;
    if (!tenantId) throw new Error(`no tenant ${opts.tenantSlug}`);
    const suffix = randomBytes(4).toString("hex");
    const owner = await client.query<{ userId: string }>(`SELECT "userId" FROM memberships WHERE "tenantId" = $1 AND role = 'owner' LIMIT 1`, [tenantId]);
    const agentId = `agt_seed_${suffix}`;
    await client.query(`INSERT INTO agents (id, "tenantId", name, "ownerId", "updatedAt") VALUES ($1, $2, $3, $4, now())`, [
      agentId, tenantId, opts.agentName ?? `bulk-bot-${suffix}`, owner.rows[0]!.userId,
    ]);
    const externalId = `run_large_${suffix}`;
    const runId = `run_${suffix}${randomBytes(4).toString("hex")}`;
    const startedAt = new Date(Date.now() - n * 100 - 60_000);
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO run_events ("tenantId", "runExternalId", "agentId", "eventKey", type, source, ts, "receivedAt", payload, "payloadHash",
                               redacted, "isError", "inputTokens", "outputTokens", "costUsd")
       SELECT $1, $2, $3, s.key, s.type, s.source, $4::timestamp(3) + (i * interval '100 milliseconds'), now() AT TIME ZONE 'UTC',
              s.payload, md5(s.key) || md5(s.key || 'x'), s.redacted, s.is_error, s.in_tok, s.out_tok, s.cost
         FROM generate_series(1, $5::int) AS i,
         LATERAL (SELECT
           CASE WHEN i % 10 = 0 THEN 'dec_' || i ELSE 'evt_' || i END AS key,
           CASE WHEN i = 1 THEN 'run.started' WHEN i = $5 THEN 'run.finished' WHEN i % 10 = 0 THEN 'decision'
                WHEN i % 10 IN (1, 2) THEN 'model.call' WHEN i % 10 IN (3, 4, 5) THEN 'tool.call'
                WHEN i % 10 = 6 THEN 'side_effect' ELSE 'log' END AS type,
           CASE WHEN i % 10 = 0 AND i <> $5 THEN 'server' ELSE 'agent' END AS source,
           CASE WHEN i = 1 THEN jsonb_build_object('input', jsonb_build_object('kind', 'ticket', 'ref', 'ZD-88421'),
                                                   'model', jsonb_build_object('provider', 'openai', 'name', 'gpt-x'))
                WHEN i = $5 THEN jsonb_build_object('outcome', 'succeeded', 'reason', 'all refunds processed')
                WHEN i % 10 = 0 THEN jsonb_build_object('decision', CASE WHEN i % 30 = 0 THEN 'deny' ELSE 'allow' END,
                                                        'tool', 'stripe', 'operation', 'refunds.create', 'policy_version', 3,
                                                        'reasons', CASE WHEN i % 30 = 0 THEN '[{"code":"quota_exceeded"}]'::jsonb ELSE '[]'::jsonb END,
                                                        'quota', jsonb_build_array(jsonb_build_object('name', 'writes_per_day', 'limit', 100000, 'remaining', 100000 - i / 10)))
                WHEN i % 10 IN (1, 2) THEN jsonb_build_object('model', 'gpt-x', 'input_tokens', 100, 'output_tokens', 20, 'cost_usd', 0.001, 'latency_ms', 800)
                WHEN i % 10 IN (3, 4, 5) THEN jsonb_build_object('tool', 'stripe', 'operation', 'refunds.create',
                                                        'status', CASE WHEN i % 50 = 3 THEN 'error' ELSE 'ok' END,
                                                        'decision_id', 'dec_' || (i - i % 10), 'latency_ms', 120,
                                                        'args', jsonb_build_object('charge_id', 'ch_' || i, 'amount_cents', 500, 'api_key', '[REDACTED]'))
                WHEN i % 10 = 6 THEN jsonb_build_object('system', 'stripe', 'object_type', 'refund', 'object_id', 're_' || $6 || '_' || i, 'tool_call_id', 'evt_' || (i - 1))
                ELSE jsonb_build_object('level', 'info', 'message', 'step ' || i) END AS payload,
           CASE WHEN i % 10 IN (3, 4, 5) AND i NOT IN (1, $5) THEN '["args.api_key"]'::jsonb END AS redacted,
           (i % 10 IN (3, 4, 5) AND i % 50 = 3) AS is_error,
           CASE WHEN i % 10 IN (1, 2) AND i NOT IN (1, $5) THEN 100 END AS in_tok,
           CASE WHEN i % 10 IN (1, 2) AND i NOT IN (1, $5) THEN 20 END AS out_tok,
           CASE WHEN i % 10 IN (1, 2) AND i NOT IN (1, $5) THEN 0.001 END AS cost) s`,
      [tenantId, externalId, agentId, startedAt.toISOString(), n, suffix],
    );
    await client.query(
      `INSERT INTO run_event_keys ("agentId", source, "eventKey", "tenantId", "receivedAt")
       SELECT "agentId", source, "eventKey", "tenantId", "receivedAt" FROM run_events WHERE "tenantId" = $1 AND "runExternalId" = $2`,
      [tenantId, externalId],
    );
    await client.query(
      `INSERT INTO runs (id, "tenantId", "agentId", "externalId", status, outcome, "startedAt", "finishedAt", "eventCount", "toolCalls", "errorCount",
                         "inputTokens", "outputTokens", "costUsd", "policyVersion", "decisionCount", "denialCount", "approvalCount", "sideEffectCount",
                         "lastEventAt", "firstReceivedAt", "lastReceivedAt", meta)
       SELECT $3, "tenantId", $4, "runExternalId", 'finished', 'succeeded', min(ts), max(ts), count(*), count(*) FILTER (WHERE type = 'tool.call'),
              count(*) FILTER (WHERE "isError"), coalesce(sum("inputTokens"), 0), coalesce(sum("outputTokens"), 0), coalesce(sum("costUsd"), 0), 3,
              count(*) FILTER (WHERE type = 'decision'), count(*) FILTER (WHERE type = 'decision' AND payload->>'decision' = 'deny'), 0,
              count(*) FILTER (WHERE type = 'side_effect'), max(ts), min("receivedAt"), max("receivedAt"),
              '{"input": {"kind": "ticket", "ref": "ZD-88421"}, "model": {"provider": "openai", "name": "gpt-x"}}'::jsonb
         FROM run_events WHERE "tenantId" = $1 AND "runExternalId" = $2 GROUP BY "tenantId", "runExternalId"`,
      [tenantId, externalId, runId, agentId],
    );
    await client.query("COMMIT");
    await client.query(`ANALYZE run_events`).catch(() => {});
    return { tenantId, agentId, runId, externalId, events: n, startedAt };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
