-- Gateway (issue 16): the credential vault (connections, secrets sealed by lib/secrets/envelope.ts),
-- tool upstreams and operation HTTP mappings.
-- AlterTable
ALTER TABLE "tools" ADD COLUMN     "connectionId" TEXT,
ADD COLUMN     "maxResponseBytes" INTEGER NOT NULL DEFAULT 1048576,
ADD COLUMN     "timeoutMs" INTEGER NOT NULL DEFAULT 10000,
ADD COLUMN     "upstreamBaseUrl" TEXT,
ADD COLUMN     "upstreamKind" TEXT NOT NULL DEFAULT 'none';

-- AlterTable
ALTER TABLE "tool_operations" ADD COLUMN     "httpMethod" TEXT,
ADD COLUMN     "httpPath" TEXT,
ADD COLUMN     "sideEffectFields" JSONB;

-- CreateTable
CREATE TABLE "connections" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "headerName" TEXT,
    "username" TEXT,
    "tokenUrl" TEXT,
    "clientId" TEXT,
    "scopes" TEXT,
    "allowedHosts" TEXT[],
    "status" TEXT NOT NULL DEFAULT 'active',
    "sealedSecret" TEXT NOT NULL,
    "previousSealed" TEXT,
    "previousValidUntil" TIMESTAMP(3),
    "rotatedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "lastTestedAt" TIMESTAMP(3),
    "lastTestOk" BOOLEAN,
    "lastTestMessage" TEXT,
    "lastFailureAt" TIMESTAMP(3),
    "lastFailureMessage" TEXT,
    "refusedAlertedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "connections_tenantId_name_key" ON "connections"("tenantId", "name");

-- AddForeignKey
ALTER TABLE "tools" ADD CONSTRAINT "tools_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connections"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


ALTER TABLE connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE connections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON connections
  USING ("tenantId" = app_tenant_id()) WITH CHECK ("tenantId" = app_tenant_id());
