-- Decisions keep the proposed arguments (backtests, evidence), the rules that matched and
-- what shadow rules would have decided; approvals name the rule that required them.
ALTER TABLE "decisions" ADD COLUMN "args" JSONB,
  ADD COLUMN "matchedRules" TEXT[] DEFAULT ARRAY[]::TEXT[],
  ADD COLUMN "shadow" JSONB;
ALTER TABLE "approvals" ADD COLUMN "ruleId" TEXT;
-- Backtests read the recent decisions of a tenant by operation.
CREATE INDEX "decisions_tenantId_tool_operation_createdAt_idx" ON "decisions" ("tenantId", "tool", "operation", "createdAt");
