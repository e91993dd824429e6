import type { ListingNote, OperationListing, RuleRef, UpstreamProblem } from "./list-mcp-tools";

/** One operation of an agent's tools/list in words, as the console shows it. */
export type ListingView = { tool: string; operation: string; mcpName: string; listed: boolean; why: string; warnings: string[] };

const quoted = (rules: RuleRef[]) => rules.map((r) => `“${r.name}”`).join(", ");

function why(l: OperationListing): string {
  switch (l.reason.code) {
    case "permitted":
      return `Permitted by ${quoted(l.reason.rules)}.`;
    case "forbidden":
      return `Forbidden by ${quoted([l.reason.rule])}, whatever the arguments.`;
    case "no_permit_rule":
      return l.reason.shadowRules.length
        ? `No enforced rule permits it (${quoted(l.reason.shadowRules)} would, but ${l.reason.shadowRules.length === 1 ? "it is" : "they are"} in shadow mode).`
        : "No rule permits it for this agent.";
  }
}

function note(n: ListingNote): string {
  return n.code === "conditional_forbid" ? `${quoted([n.rule])} forbids the calls that match its conditions.` : `The tool is halted by a kill switch (${n.reason}): every call is denied.`;
}

function upstream(p: UpstreamProblem): string {
  switch (p.code) {
    case "no_upstream":
      return "Calls fail: the tool has no upstream, so Gatehouse cannot execute them.";
    case "no_connection":
      return "Calls fail: the tool's upstream has no connection (vaulted credential).";
    case "connection_disabled":
      return `Calls fail: the connection “${p.connection}” is disabled.`;
    case "no_http_mapping":
      return "Calls fail: the operation has no HTTP method and path.";
  }
}

export function describeListing(listings: OperationListing[]): ListingView[] {
  return listings.map((l) => ({
    tool: l.toolName,
    operation: l.operation,
    mcpName: l.mcpName,
    listed: l.listed,
    why: why(l),
    warnings: [...l.notes.map(note), ...(l.upstreamProblem ? [upstream(l.upstreamProblem)] : [])],
  }));
}
