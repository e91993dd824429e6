// The shapes of the console's agent routes, declared here because client code never
// imports lib/ services (see eslint.config.mjs). Keep in step with lib/agents/*.

export type AgentStatus = "active" | "suspended" | "decommissioned";
export type CredentialKind = "client_secret" | "public_key" | "federated";

/** One row of GET /api/console/t/[tenant]/agents (lib/agents/list-agents.ts). */
export type AgentRow = {
  id: string;
  name: string;
  description: string;
  environment: string;
  labels: string[];
  status: AgentStatus;
  ownerId: string;
  owner: string;
  lastSeenAt: string | null;
  tokens24h: number;
  credentials: number;
  oldestCredentialAt: string | null;
};

/** A credential as the console sees it (lib/agents/add-credential.ts describeCredential): never a secret. */
export type Credential = {
  id: string;
  kind: CredentialKind;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  keyId?: string | null;
  algorithm?: string | null;
  issuer?: string | null;
  jwksUrl?: string | null;
  subject?: string | null;
  audience?: string | null;
};

/** GET /api/console/t/[tenant]/agents/[agentId] (lib/agents/get-agent.ts). */
export type AgentDetail = {
  id: string;
  name: string;
  description: string;
  owner: { id: string; email: string; name: string };
  labels: string[];
  environment: string;
  tokenTtlMinutes: number;
  status: AgentStatus;
  statusReason: string | null;
  lastSeenAt: string | null;
  createdAt: string;
  credentials: Credential[];
  tokens24h: number;
  recentTokens: { jti: string; credentialId: string; grantType: string; sourceIp: string | null; issuedAt: string; expiresAt: string }[];
  history: { seq: string; action: string; actorLabel: string; createdAt: string; after: unknown }[];
};

/** GET /api/console/t/[tenant]/members, the fields the owner picker needs. */
export type MemberOption = { userId: string; email: string; name: string; role: string };

/** One operation of the agent's MCP tools/list, in words (lib/mcp/describe-listing.ts). */
export type McpListingRow = { tool: string; operation: string; mcpName: string; listed: boolean; why: string; warnings: string[] };
