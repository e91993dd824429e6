-- Quotas and budgets (lib/quotas): named limits, the tool of operation_calls limits, the
-- alert threshold; approvals remember which limits approving one extends (pause-and-ask).
ALTER TABLE "quotas" ADD COLUMN     "alertPercent" INTEGER NOT NULL DEFAULT 80,
ADD COLUMN     "createdById" TEXT,
ADD COLUMN     "name" TEXT NOT NULL,
ADD COLUMN     "tool" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

ALTER TABLE "approvals" ADD COLUMN     "quotaIds" TEXT[] DEFAULT ARRAY[]::TEXT[];

CREATE UNIQUE INDEX "quotas_tenantId_name_key" ON "quotas"("tenantId", "name");
