/**
 * Coverage: a tool is "enforced" when its calls go through the gateway with a credential
 * that lives only in the vault (an upstream with an active connection); "advisory" when
 * the agent holds its own credentials and only asks. An agent is enforced when every tool
 * its policy allows is.
 */
import { isEnforced } from "./gateway-state";

export type Coverage = "enforced" | "advisory";

type ToolRow = {
  upstreamKind: string;
  upstreamBaseUrl: string | null;
  connectionId: string | null;
  timeoutMs: number;
  maxResponseBytes: number;
  connection?: { status: string } | null;
};

export function toolCoverage(tool: ToolRow): Coverage {
  return isEnforced({ kind: tool.upstreamKind as "none", baseUrl: tool.upstreamBaseUrl, connection: tool.connection as never }) ? "enforced" : "advisory";
}

export function agentCoverage(allowedTools: Coverage[]): Coverage {
  return allowedTools.length > 0 && allowedTools.every((c) => c === "enforced") ? "enforced" : "advisory";
}

/** A tool's upstream as the console sees it (PATCH tools/[toolId] takes the same shape). */
export function describeUpstream(tool: ToolRow) {
  if (tool.upstreamKind === "none" || !tool.upstreamBaseUrl) return null;
  // The column is text; what is not "none" was written through the upstream schema (http or mcp).
  const kind: "http" | "mcp" = tool.upstreamKind === "mcp" ? "mcp" : "http";
  return { kind, baseUrl: tool.upstreamBaseUrl, connectionId: tool.connectionId, timeoutMs: tool.timeoutMs, maxResponseBytes: tool.maxResponseBytes };
}
