// The shapes of the console's connection routes, declared here because client code never
// imports lib/ services (see eslint.config.mjs). Keep in step with lib/connections/schemas.ts.

export const CONNECTION_KINDS = ["bearer", "api_key", "basic", "oauth2_client_credentials"] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

export const KIND_LABEL: Record<ConnectionKind, string> = {
  bearer: "Bearer token",
  api_key: "API key in a header",
  basic: "Basic auth",
  oauth2_client_credentials: "OAuth 2.0 client credentials",
};

/** One connection of GET /api/console/t/[tenant]/connections: never any part of the secret. */
export type Connection = {
  id: string;
  name: string;
  kind: ConnectionKind;
  headerName: string | null;
  username: string | null;
  tokenUrl: string | null;
  clientId: string | null;
  scopes: string | null;
  allowedHosts: string[];
  status: "active" | "disabled";
  secret: "set";
  keyId: string | null;
  rotatedAt: string | null;
  previousValidUntil: string | null;
  lastUsedAt: string | null;
  lastTestedAt: string | null;
  lastTestOk: boolean | null;
  lastTestMessage: string | null;
  lastFailureAt: string | null;
  lastFailureMessage: string | null;
  usedBy: { toolId: string; toolName: string }[];
  createdAt: string;
};

/** The answer of POST connections/[connectionId]/test. */
export type TestResult = { ok: boolean; status?: number; message: string; latencyMs?: number };

/** Tool and agent coverage (lib/gateway/coverage.ts). */
export type Coverage = "enforced" | "advisory";
