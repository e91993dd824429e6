-- "The run so far" on an approval request reads an agent's decisions in one run.
CREATE INDEX "decisions_tenantId_agentId_runExternalId_createdAt_idx" ON "decisions" ("tenantId", "agentId", "runExternalId", "createdAt");
