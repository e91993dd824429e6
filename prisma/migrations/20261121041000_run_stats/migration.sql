-- Hourly run statistics per tenant and agent, maintained by the ingest worker in the
-- transaction that stores the events, so the Overview charts read a few hundred rows
-- instead of aggregating events. Hour = the event's own time (ts), truncated.
CREATE TABLE "run_stats_hourly" (
    "tenantId"         TEXT NOT NULL,
    "agentId"          TEXT NOT NULL,
    "hour"             TIMESTAMP(3) NOT NULL,
    "runsStarted"      INTEGER NOT NULL DEFAULT 0,
    "runsSucceeded"    INTEGER NOT NULL DEFAULT 0,
    "runsFailed"       INTEGER NOT NULL DEFAULT 0,
    "runsEscalated"    INTEGER NOT NULL DEFAULT 0,
    "runsTerminated"   INTEGER NOT NULL DEFAULT 0,
    "toolCalls"        INTEGER NOT NULL DEFAULT 0,
    "toolErrors"       INTEGER NOT NULL DEFAULT 0,
    "retries"          INTEGER NOT NULL DEFAULT 0,
    -- Tool latency histogram: counts per bucket with upper bounds (ms)
    -- 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, +inf (lib/runs/run-stats.ts).
    "toolLatency"      INTEGER[] NOT NULL DEFAULT '{0,0,0,0,0,0,0,0,0,0,0}',
    "decisions"        INTEGER NOT NULL DEFAULT 0,
    "denials"          INTEGER NOT NULL DEFAULT 0,
    "escalations"      INTEGER NOT NULL DEFAULT 0,
    "quotaHits"        INTEGER NOT NULL DEFAULT 0,
    "costUsd"          DECIMAL(14,6) NOT NULL DEFAULT 0,
    "succeededRunCost" DECIMAL(14,6) NOT NULL DEFAULT 0,

    CONSTRAINT "run_stats_hourly_pkey" PRIMARY KEY ("tenantId", "agentId", "hour")
);
CREATE INDEX "run_stats_hourly_tenantId_hour_idx" ON "run_stats_hourly"("tenantId", "hour");

ALTER TABLE run_stats_hourly ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON run_stats_hourly
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON "run_stats_hourly" TO gatehouse_app;
