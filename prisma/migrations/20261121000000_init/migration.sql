-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('owner', 'admin', 'approver', 'auditor', 'viewer');

-- CreateEnum
CREATE TYPE "AgentStatus" AS ENUM ('active', 'suspended', 'decommissioned');

-- CreateEnum
CREATE TYPE "CredentialKind" AS ENUM ('client_secret', 'public_key', 'federated');

-- CreateEnum
CREATE TYPE "RiskClass" AS ENUM ('read', 'write', 'delete', 'money', 'deploy', 'identity');

-- CreateEnum
CREATE TYPE "DecisionOutcome" AS ENUM ('allow', 'deny', 'pending_approval');

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('pending', 'approved', 'denied', 'expired', 'cancelled');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('running', 'finished');

-- CreateEnum
CREATE TYPE "KillScope" AS ENUM ('tenant', 'tool', 'agent');

-- CreateEnum
CREATE TYPE "ExportStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "tenants" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT,
    "oidcIssuer" TEXT,
    "oidcSubject" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" TIMESTAMP(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signing_keys" (
    "kid" TEXT NOT NULL,
    "publicJwk" JSONB NOT NULL,
    "privateJwk" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invitations" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "invitedById" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "acceptedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agents" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "ownerId" TEXT NOT NULL,
    "labels" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "environment" TEXT NOT NULL DEFAULT 'production',
    "tokenTtlSeconds" INTEGER NOT NULL DEFAULT 900,
    "status" "AgentStatus" NOT NULL DEFAULT 'active',
    "statusReason" TEXT,
    "lastSeenAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "agents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_credentials" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "kind" "CredentialKind" NOT NULL,
    "label" TEXT NOT NULL,
    "secretHash" TEXT,
    "publicJwk" JSONB,
    "issuer" TEXT,
    "jwksUrl" TEXT,
    "subject" TEXT,
    "audience" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "agent_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tools" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tool_operations" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "toolId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "argsSchema" JSONB NOT NULL DEFAULT '{}',
    "riskClass" "RiskClass" NOT NULL DEFAULT 'read',
    "reversible" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "tool_operations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy_drafts" (
    "tenantId" TEXT NOT NULL,
    "rules" JSONB NOT NULL DEFAULT '[]',
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "policy_drafts_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "policy_versions" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "rules" JSONB NOT NULL,
    "cedar" TEXT NOT NULL,
    "summary" TEXT NOT NULL DEFAULT '',
    "publishedById" TEXT NOT NULL,
    "publishedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "quotas" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "scopeRef" TEXT,
    "metric" TEXT NOT NULL,
    "operation" TEXT,
    "window" TEXT NOT NULL,
    "limit" DOUBLE PRECISION NOT NULL,
    "onExceed" TEXT NOT NULL DEFAULT 'deny',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "quotas_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kill_switches" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "scope" "KillScope" NOT NULL,
    "target" TEXT,
    "reason" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "liftedAt" TIMESTAMP(3),
    "liftedById" TEXT,

    CONSTRAINT "kill_switches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'running',
    "outcome" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "eventCount" INTEGER NOT NULL DEFAULT 0,
    "toolCalls" INTEGER NOT NULL DEFAULT 0,
    "errorCount" INTEGER NOT NULL DEFAULT 0,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DECIMAL(14,6) NOT NULL DEFAULT 0,
    "policyVersion" INTEGER,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_events" (
    "id" BIGSERIAL NOT NULL,
    "tenantId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "ts" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "payload" JSONB NOT NULL,
    "payloadHash" TEXT NOT NULL,

    CONSTRAINT "run_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "decisions" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "runExternalId" TEXT NOT NULL,
    "tool" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "resource" JSONB,
    "actionHash" TEXT NOT NULL,
    "outcome" "DecisionOutcome" NOT NULL,
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "policyVersion" INTEGER,
    "approvalId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approvals" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "runExternalId" TEXT NOT NULL,
    "decisionId" TEXT NOT NULL,
    "actionHash" TEXT NOT NULL,
    "action" JSONB NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "requiredApprovals" INTEGER NOT NULL DEFAULT 1,
    "requiredGroups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" "ApprovalStatus" NOT NULL DEFAULT 'pending',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "redeemedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approval_votes" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "approvalId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "verdict" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_votes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entries" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "requestId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exports" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "scope" JSONB NOT NULL,
    "format" TEXT NOT NULL,
    "status" "ExportStatus" NOT NULL DEFAULT 'queued',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "rowCount" INTEGER NOT NULL DEFAULT 0,
    "filePath" TEXT,
    "sha256" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "exports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_verifications" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "checked" INTEGER NOT NULL,
    "headSeq" BIGINT,
    "headHash" TEXT,
    "brokenAtSeq" BIGINT,
    "problem" TEXT,
    "trigger" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_verifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenants_slug_key" ON "tenants"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "users_oidcIssuer_oidcSubject_key" ON "users"("oidcIssuer", "oidcSubject");

-- CreateIndex
CREATE INDEX "memberships_userId_idx" ON "memberships"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "memberships_tenantId_userId_key" ON "memberships"("tenantId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "invitations_tokenHash_key" ON "invitations"("tokenHash");

-- CreateIndex
CREATE INDEX "invitations_tenantId_email_idx" ON "invitations"("tenantId", "email");

-- CreateIndex
CREATE UNIQUE INDEX "agents_tenantId_name_key" ON "agents"("tenantId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "agents_tenantId_id_key" ON "agents"("tenantId", "id");

-- CreateIndex
CREATE INDEX "agent_credentials_tenantId_agentId_idx" ON "agent_credentials"("tenantId", "agentId");

-- CreateIndex
CREATE UNIQUE INDEX "tools_tenantId_name_key" ON "tools"("tenantId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "tools_tenantId_id_key" ON "tools"("tenantId", "id");

-- CreateIndex
CREATE INDEX "tool_operations_tenantId_idx" ON "tool_operations"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "tool_operations_toolId_name_key" ON "tool_operations"("toolId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "policy_versions_tenantId_version_key" ON "policy_versions"("tenantId", "version");

-- CreateIndex
CREATE INDEX "quotas_tenantId_idx" ON "quotas"("tenantId");

-- CreateIndex
CREATE INDEX "kill_switches_tenantId_liftedAt_idx" ON "kill_switches"("tenantId", "liftedAt");

-- CreateIndex
CREATE INDEX "runs_tenantId_startedAt_idx" ON "runs"("tenantId", "startedAt");

-- CreateIndex
CREATE INDEX "runs_tenantId_agentId_startedAt_idx" ON "runs"("tenantId", "agentId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "runs_tenantId_externalId_key" ON "runs"("tenantId", "externalId");

-- CreateIndex
CREATE INDEX "run_events_tenantId_runId_ts_id_idx" ON "run_events"("tenantId", "runId", "ts", "id");

-- CreateIndex
CREATE UNIQUE INDEX "run_events_agentId_eventKey_key" ON "run_events"("agentId", "eventKey");

-- CreateIndex
CREATE INDEX "decisions_tenantId_createdAt_idx" ON "decisions"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "decisions_tenantId_agentId_createdAt_idx" ON "decisions"("tenantId", "agentId", "createdAt");

-- CreateIndex
CREATE INDEX "approvals_tenantId_status_expiresAt_idx" ON "approvals"("tenantId", "status", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "approvals_tenantId_id_key" ON "approvals"("tenantId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "approval_votes_approvalId_userId_key" ON "approval_votes"("approvalId", "userId");

-- CreateIndex
CREATE INDEX "audit_entries_tenantId_createdAt_idx" ON "audit_entries"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "audit_entries_tenantId_action_idx" ON "audit_entries"("tenantId", "action");

-- CreateIndex
CREATE UNIQUE INDEX "audit_entries_tenantId_seq_key" ON "audit_entries"("tenantId", "seq");

-- CreateIndex
CREATE INDEX "exports_tenantId_createdAt_idx" ON "exports"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "audit_verifications_tenantId_createdAt_idx" ON "audit_verifications"("tenantId", "createdAt");

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_credentials" ADD CONSTRAINT "agent_credentials_tenantId_agentId_fkey" FOREIGN KEY ("tenantId", "agentId") REFERENCES "agents"("tenantId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tool_operations" ADD CONSTRAINT "tool_operations_tenantId_toolId_fkey" FOREIGN KEY ("tenantId", "toolId") REFERENCES "tools"("tenantId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approval_votes" ADD CONSTRAINT "approval_votes_tenantId_approvalId_fkey" FOREIGN KEY ("tenantId", "approvalId") REFERENCES "approvals"("tenantId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

