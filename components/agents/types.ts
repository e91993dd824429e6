// The console's agent shapes, as the routes answer them (components/api.ts derives them
// from the route modules, so they cannot drift from lib/agents/*).
import type { ConsoleAnswer } from "@/components/api";

/** One row of GET /api/console/t/[tenant]/agents (lib/agents/list-agents.ts). */
export type AgentRow = ConsoleAnswer<"GET", "/t/[tenant]/agents">["agents"][number];

/** GET /api/console/t/[tenant]/agents/[agentId] (lib/agents/get-agent.ts). */
export type AgentDetail = ConsoleAnswer<"GET", "/t/[tenant]/agents/[agentId]">;

/** A credential as the console sees it (lib/agents/add-credential.ts describeCredential): never a secret. */
export type Credential = AgentDetail["credentials"][number];

export type AgentStatus = AgentDetail["status"];
export type CredentialKind = Credential["kind"];

/** GET /api/console/t/[tenant]/members, the fields the owner picker needs. */
export type MemberOption = ConsoleAnswer<"GET", "/t/[tenant]/members">["members"][number];

/** One operation of the agent's MCP tools/list, in words (lib/mcp/describe-listing.ts); a page prop, not a route's answer. */
export type McpListingRow = { tool: string; operation: string; mcpName: string; listed: boolean; why: string; warnings: string[] };
