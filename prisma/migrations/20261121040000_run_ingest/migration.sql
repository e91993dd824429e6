-- Run ingest (issue 6): run events partitioned by day of receipt, idempotency keys in
-- their own table, and the run summary the ingest worker maintains.
--
-- Why partition by "receivedAt" (server time) and not by the agent's "ts": server time
-- is monotonic and never out of range, so retention drops whole days exactly; each run
-- records the receipt range of its events ("firstReceivedAt"/"lastReceivedAt") so a
-- timeline query prunes to the partitions that hold that run.
--
-- Why a separate key table: a unique index on a partitioned table must contain the
-- partition key, so (agent, event id) could not be unique across days. run_event_keys is
-- the source of truth for "stored once"; writers insert the key and the event in one
-- statement (INSERT … ON CONFLICT DO NOTHING RETURNING, then only the returned rows).

-- ---------- runs: the summary the worker maintains ----------
ALTER TABLE "runs"
  ADD COLUMN "decisionCount"   INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "denialCount"     INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "approvalCount"   INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "sideEffectCount" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "lastEventAt"     TIMESTAMP(3),
  ADD COLUMN "firstReceivedAt" TIMESTAMP(3),
  ADD COLUMN "lastReceivedAt"  TIMESTAMP(3),
  ADD COLUMN "meta"            JSONB,
  ADD COLUMN "updatedAt"       TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

CREATE INDEX "runs_tenantId_outcome_startedAt_idx" ON "runs"("tenantId", "outcome", "startedAt");

-- ---------- idempotency keys: one row per stored event ----------
CREATE TABLE "run_event_keys" (
    "agentId"    TEXT NOT NULL,
    "source"     TEXT NOT NULL,
    "eventKey"   TEXT NOT NULL,
    "tenantId"   TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "run_event_keys_pkey" PRIMARY KEY ("agentId", "source", "eventKey")
);
CREATE INDEX "run_event_keys_tenantId_receivedAt_idx" ON "run_event_keys"("tenantId", "receivedAt");

ALTER TABLE run_event_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON run_event_keys
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());

-- ---------- run events: partitioned by day of receipt ----------
ALTER TABLE "run_events" RENAME TO "run_events_unpartitioned";
ALTER INDEX "run_events_pkey" RENAME TO "run_events_unpartitioned_pkey";
ALTER INDEX "run_events_tenantId_runId_ts_id_idx" RENAME TO "run_events_unpartitioned_timeline_idx";
ALTER INDEX "run_events_agentId_eventKey_key" RENAME TO "run_events_unpartitioned_key";

CREATE SEQUENCE "run_events_id_seq2" AS BIGINT;

CREATE TABLE "run_events" (
    "id"            BIGINT NOT NULL DEFAULT nextval('run_events_id_seq2'),
    "tenantId"      TEXT NOT NULL,
    "runExternalId" TEXT NOT NULL,
    "agentId"       TEXT NOT NULL,
    "eventKey"      TEXT NOT NULL,
    "type"          TEXT NOT NULL,
    "source"        TEXT NOT NULL,
    "ts"            TIMESTAMP(3) NOT NULL,
    "receivedAt"    TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "payload"       JSONB NOT NULL,
    "payloadHash"   TEXT NOT NULL,
    "redacted"      JSONB,
    "isError"       BOOLEAN NOT NULL DEFAULT false,
    "inputTokens"   INTEGER,
    "outputTokens"  INTEGER,
    "costUsd"       DECIMAL(14,6),

    CONSTRAINT "run_events_pkey" PRIMARY KEY ("id", "receivedAt")
) PARTITION BY RANGE ("receivedAt");
ALTER SEQUENCE "run_events_id_seq2" OWNED BY "run_events"."id";

-- Timeline order within a run, keyset-paginated on (ts, id).
CREATE INDEX "run_events_timeline_idx" ON "run_events"("tenantId", "runExternalId", "ts", "id");
-- Search by side-effect object id (refund id, pull request number…).
CREATE INDEX "run_events_side_effect_idx" ON "run_events"("tenantId", ("payload"->>'object_id')) WHERE "type" = 'side_effect';

ALTER TABLE run_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON run_events
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());

-- Catches rows outside every daily partition (the worker keeps days ahead created, so
-- only a stopped maintenance job lets rows land here). Retention sweeps it in batches.
CREATE TABLE "run_events_default" PARTITION OF "run_events" DEFAULT;

-- Partitions are reached through the parent only: the app role has no grant on them
-- (a partition read directly would not apply the parent's policy), and each still has
-- RLS on with the same policy, so a grant added by mistake leaks nothing.
CREATE FUNCTION run_events_secure_partition(part regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', part);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', part);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id())', part);
  EXECUTE format('REVOKE ALL ON %s FROM gatehouse_app', part);
END $$;
SELECT run_events_secure_partition('run_events_default');

-- Creates the daily partitions for [from_day, from_day + days) that do not exist yet.
-- SECURITY DEFINER: the worker (app role, owns nothing) calls it; the partitions belong
-- to the schema owner like every other table. A day whose rows already sit in the
-- default partition is skipped with a warning (they stay there, still readable).
CREATE FUNCTION ensure_run_event_partitions(from_day date, days integer) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE d date; part text; created integer := 0;
BEGIN
  FOR i IN 0 .. greatest(days, 1) - 1 LOOP
    d := from_day + i;
    part := 'run_events_p' || to_char(d, 'YYYYMMDD');
    CONTINUE WHEN to_regclass(part) IS NOT NULL;
    BEGIN
      EXECUTE format('CREATE TABLE %I PARTITION OF run_events FOR VALUES FROM (%L) TO (%L)', part, d::timestamp, (d + 1)::timestamp);
      PERFORM run_events_secure_partition(part::regclass);
      created := created + 1;
    EXCEPTION WHEN check_violation THEN
      RAISE WARNING 'run_events: rows for % already in the default partition; partition % not created', d, part;
    END;
  END LOOP;
  RETURN created;
END $$;
REVOKE ALL ON FUNCTION ensure_run_event_partitions(date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_run_event_partitions(date, integer) TO gatehouse_app;

-- Drops the daily partitions that end on or before `before_day` (whole-day retention for
-- every tenant at once). Returns the names dropped.
CREATE FUNCTION drop_run_event_partitions(before_day date) RETURNS SETOF text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'run_events'::regclass AND c.relname ~ '^run_events_p[0-9]{8}$'
       AND to_date(substr(c.relname, 13), 'YYYYMMDD') + 1 <= before_day
     ORDER BY c.relname
  LOOP
    EXECUTE format('DROP TABLE %I', r.relname);
    RETURN NEXT r.relname;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION drop_run_event_partitions(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION drop_run_event_partitions(date) TO gatehouse_app;

SELECT ensure_run_event_partitions(((now() AT TIME ZONE 'UTC')::date) - 2, 10);

-- Carry over rows written before this migration (demo seed): the old table keyed events
-- by runs.id, the new one by the agent's run id, like decisions and approvals.
INSERT INTO run_events ("tenantId", "runExternalId", "agentId", "eventKey", "type", "source", "ts", "receivedAt", "payload", "payloadHash")
SELECT e."tenantId", r."externalId", e."agentId", e."eventKey", e."type", e."source", e."ts", e."receivedAt", e."payload", e."payloadHash"
  FROM run_events_unpartitioned e JOIN runs r ON r.id = e."runId";
INSERT INTO run_event_keys ("agentId", "source", "eventKey", "tenantId", "receivedAt")
SELECT "agentId", "source", "eventKey", "tenantId", "receivedAt" FROM run_events_unpartitioned
ON CONFLICT DO NOTHING;
UPDATE runs r SET "firstReceivedAt" = s.first, "lastReceivedAt" = s.last, "lastEventAt" = s.last_ts
  FROM (SELECT "tenantId", "runExternalId", min("receivedAt") AS first, max("receivedAt") AS last, max(ts) AS last_ts
          FROM run_events GROUP BY 1, 2) s
 WHERE r."tenantId" = s."tenantId" AND r."externalId" = s."runExternalId";
DROP TABLE run_events_unpartitioned;
ALTER SEQUENCE "run_events_id_seq2" RENAME TO "run_events_id_seq";
GRANT USAGE, SELECT ON SEQUENCE "run_events_id_seq" TO gatehouse_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON "run_events", "run_event_keys" TO gatehouse_app;
REVOKE ALL ON FUNCTION run_events_secure_partition(regclass) FROM PUBLIC;
