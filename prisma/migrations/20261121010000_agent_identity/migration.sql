-- AlterTable
ALTER TABLE "agent_credentials" ADD COLUMN     "createdById" TEXT,
ADD COLUMN     "revokedReason" TEXT;

-- CreateTable
CREATE TABLE "agent_tokens" (
    "jti" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "credentialId" TEXT NOT NULL,
    "grantType" TEXT NOT NULL,
    "sourceIp" TEXT,
    "issuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "agent_tokens_pkey" PRIMARY KEY ("jti")
);

-- CreateIndex
CREATE INDEX "agent_tokens_tenantId_agentId_issuedAt_idx" ON "agent_tokens"("tenantId", "agentId", "issuedAt");


ALTER TABLE agent_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON agent_tokens
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());

-- The token endpoint knows only a client id (the agent id) or an external token's issuer
-- and subject; these two SECURITY DEFINER functions map them to the owning tenant, and
-- return ids only. All further reads go through withTenant.
CREATE FUNCTION unsafe_agent_tenant(agent_id text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public AS $$ SELECT "tenantId" FROM agents WHERE id = agent_id $$;
REVOKE ALL ON FUNCTION unsafe_agent_tenant(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unsafe_agent_tenant(text) TO gatehouse_app;

CREATE FUNCTION unsafe_federated_bindings(token_issuer text, token_subject text)
  RETURNS TABLE ("tenantId" text, "agentId" text, "credentialId" text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT "tenantId", "agentId", id FROM agent_credentials
    WHERE kind = 'federated' AND issuer = token_issuer AND subject = token_subject AND "revokedAt" IS NULL
  $$;
REVOKE ALL ON FUNCTION unsafe_federated_bindings(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unsafe_federated_bindings(text, text) TO gatehouse_app;
