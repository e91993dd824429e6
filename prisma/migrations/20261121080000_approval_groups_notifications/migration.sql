-- Issue 5, approvals half: approver groups, escalation, tenant webhook notifications.
-- AlterTable
ALTER TABLE "memberships" ADD COLUMN     "approverGroups" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "approvals" ADD COLUMN     "escalateAt" TIMESTAMP(3),
ADD COLUMN     "escalateTo" TEXT,
ADD COLUMN     "escalatedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "approval_votes" ADD COLUMN     "groups" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "notification_webhooks" (
    "tenantId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notification_webhooks_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "notification_deliveries" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "notification_deliveries_tenantId_createdAt_idx" ON "notification_deliveries"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "approvals_tenantId_status_escalateAt_idx" ON "approvals"("tenantId", "status", "escalateAt");


-- Row-level security: both new tables are tenant-owned.
ALTER TABLE notification_webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_webhooks
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());
ALTER TABLE notification_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_deliveries
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON "notification_webhooks", "notification_deliveries" TO gatehouse_app;
