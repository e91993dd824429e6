// The console's connection shapes, as the routes answer them (components/api.ts derives them
// from the route modules, so they cannot drift from lib/connections/*).
import type { ConsoleAnswer } from "@/components/api";

/** One connection of GET /api/console/t/[tenant]/connections (lib/connections/describe-connection.ts): never any part of the secret. */
export type Connection = ConsoleAnswer<"GET", "/t/[tenant]/connections">["connections"][number];
export type ConnectionKind = Connection["kind"];

/** The kinds in the order the form offers them (bearer, the default, first). */
export const CONNECTION_KINDS = ["bearer", "api_key", "basic", "oauth2_client_credentials"] as const satisfies readonly ConnectionKind[];

export const KIND_LABEL: Record<ConnectionKind, string> = {
  bearer: "Bearer token",
  api_key: "API key in a header",
  basic: "Basic auth",
  oauth2_client_credentials: "OAuth 2.0 client credentials",
};

/** The answer of POST connections/[connectionId]/test (lib/connections/test-connection.ts). */
export type TestResult = ConsoleAnswer<"POST", "/t/[tenant]/connections/[connectionId]/test">;

/** Tool and agent coverage (lib/gateway/coverage.ts), as GET …/policy/capabilities answers it per agent. */
export type Coverage = ConsoleAnswer<"GET", "/t/[tenant]/policy/capabilities">["agents"][number]["coverage"];
