import { ConnectSnippets } from "@/components/onboarding/connect-snippets";
import type { Snippet } from "@/components/onboarding/types";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { HANDSHAKE_VERSIONS, STATELESS_VERSION } from "@/lib/mcp/revisions";
import { CopyButton } from "./copy-button";
import type { AgentStatus, McpListingRow } from "./types";

function ListingTable({ rows, label }: { rows: McpListingRow[]; label: string }) {
  return (
    <Table label={label}>
      <thead>
        <tr>
          <Th>MCP tool</Th>
          <Th>Operation</Th>
          <Th>Why</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={`${r.tool} ${r.operation}`} data-testid={`mcp-op-${r.tool}-${r.operation}`}>
            <Td className="font-mono text-xs text-slate-900">{r.listed ? r.mcpName : <span className="text-slate-500 line-through decoration-slate-300">{r.mcpName}</span>}</Td>
            <Td className="whitespace-nowrap">
              <span className="font-mono text-xs">
                {r.tool} {r.operation}
              </span>
            </Td>
            <Td>
              <div className="flex items-start gap-2">
                <span className="shrink-0">{r.listed ? <Badge tone="green">Listed</Badge> : <Badge>Not listed</Badge>}</span>
                <span>{r.why}</span>
              </div>
              {r.warnings.length ? (
                <ul className="mt-1 space-y-0.5 text-xs text-amber-800">
                  {r.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              ) : null}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

const REFUSED: Partial<Record<AgentStatus, string>> = {
  suspended: "This agent is suspended: the endpoint refuses its tokens until it is reactivated.",
  decommissioned: "This agent is decommissioned: the endpoint refuses it for good.",
};

/**
 * The agent's MCP endpoint and what its tools/list holds right now, with why each
 * operation of the registry is or is not in it (lib/mcp/list-mcp-tools.ts analyzeMcpTools,
 * the same analysis the endpoint lists from).
 */
export function McpView({ endpoint, status, rows, snippets }: { endpoint: string; status: AgentStatus; rows: McpListingRow[]; snippets: Snippet[] }) {
  const listed = rows.filter((r) => r.listed);
  const unlisted = rows.filter((r) => !r.listed);
  return (
    <section aria-labelledby="mcp-title" className="space-y-3" data-testid="mcp-view">
      <h2 id="mcp-title" className="text-sm font-semibold text-slate-900">
        MCP <span className="font-normal text-slate-500">· {listed.length} of {rows.length} operations in tools/list</span>
      </h2>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-xs font-medium text-slate-500">Endpoint</span>
        <code className="select-all break-all font-mono text-xs text-slate-900" data-testid="mcp-endpoint">
          {endpoint}
        </code>
        <CopyButton value={endpoint} label="Copy MCP endpoint" />
      </div>
      {REFUSED[status] ? <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-inset ring-amber-200">{REFUSED[status]}</p> : null}
      <p className="text-xs text-slate-600">
        Its tools/list holds what the published policy could allow this agent; each call is still decided on its own (arguments, approvals, quotas). Names are what the
        model sees.
      </p>
      <p className="text-xs text-slate-600" data-testid="mcp-revisions">
        Speaks MCP {STATELESS_VERSION} (stateless; a client that subscribes hears at once when a publish changes this list, others may keep it for a minute) and{" "}
        {HANDSHAKE_VERSIONS.join(", ")}.
      </p>
      {rows.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white px-4 py-6 text-center text-sm text-slate-500">No tools in the registry yet, so tools/list is empty.</p>
      ) : (
        <>
          {listed.length ? (
            <ListingTable rows={listed} label="Operations in tools/list" />
          ) : (
            <p className="rounded-lg border border-slate-200 bg-white px-4 py-6 text-center text-sm text-slate-500">tools/list is empty: no published rule permits this agent anything.</p>
          )}
          {unlisted.length ? (
            <details className="group" open={listed.length === 0}>
              <summary className="cursor-pointer text-sm text-slate-700 hover:text-slate-900">Not listed ({unlisted.length}), and why</summary>
              <div className="mt-2">
                <ListingTable rows={unlisted} label="Operations not in tools/list" />
              </div>
            </details>
          ) : null}
        </>
      )}
      <ConnectSnippets snippets={snippets} label="Connect this agent" />
    </section>
  );
}
