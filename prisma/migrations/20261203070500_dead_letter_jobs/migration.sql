-- CreateTable
CREATE TABLE "dead_letter_jobs" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "jobName" TEXT NOT NULL,
    "jobId" TEXT,
    "payload" TEXT NOT NULL,
    "payloadBytes" INTEGER NOT NULL,
    "error" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "redrivenAt" TIMESTAMP(3),
    "redrivenBy" TEXT,

    CONSTRAINT "dead_letter_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dead_letter_jobs_tenantId_createdAt_idx" ON "dead_letter_jobs"("tenantId", "createdAt");


-- Row-level security: tenant-owned. No DELETE: a dead letter is kept (re-driving marks it).
ALTER TABLE dead_letter_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE dead_letter_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dead_letter_jobs
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());
GRANT SELECT, INSERT, UPDATE ON "dead_letter_jobs" TO gatehouse_app;
