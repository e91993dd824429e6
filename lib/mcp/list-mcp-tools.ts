import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { TenantCache } from "@/lib/agents/tenant-cache";
import { BoundedMap } from "@/lib/bounded-map";
import { withTenant } from "@/lib/db/tenant";
import { gatewayCache, type ToolUpstream } from "@/lib/gateway/gateway-state";
import { policyCache } from "@/lib/policy/engine";
import { ruleAppliesTo, ruleCoversOperation, type Rule } from "@/lib/policy/rules";
import { annotationsFor, mcpToolName, type ToolAnnotations } from "./tool-names";

export type McpTool = { name: string; title: string; description: string; inputSchema: Record<string, unknown>; annotations: ToolAnnotations };
export type McpToolEntry = { tool: McpTool; toolName: string; operation: string };

export type RuleRef = { id: string; name: string };
/** Why an operation is or is not in the agent's tools/list. */
export type ListingReason =
  | { code: "permitted"; rules: RuleRef[] }
  | { code: "forbidden"; rule: RuleRef }
  | { code: "no_permit_rule"; shadowRules: RuleRef[] };
/** Known now, but decided per call: a listed operation can still be denied. */
export type ListingNote = { code: "conditional_forbid"; rule: RuleRef } | { code: "tool_halted"; reason: string };
/** Why tools/call could not execute a listed operation. */
export type UpstreamProblem = { code: "no_upstream" } | { code: "no_connection" } | { code: "connection_disabled"; connection: string } | { code: "no_http_mapping" };

export type OperationListing = {
  toolName: string;
  toolDisplayName: string;
  operation: string;
  mcpName: string;
  listed: boolean;
  reason: ListingReason;
  notes: ListingNote[];
  /** Only explained for listed operations. */
  upstreamProblem: UpstreamProblem | null;
  /** What tools/list serves for it, when listed. */
  entry: McpToolEntry | null;
};

const loadRegistry = (tenantId: string) =>
  withTenant({ tenantId }, (tx) => tx.tool.findMany({ where: { tenantId }, orderBy: { name: "asc" }, include: { operations: { orderBy: { name: "asc" } } } }));

// Descriptions and schemas for tools/list, held like the policy (dropped on publish or a registry change), so listing and every tools/call stay off the database.
const globalCache = globalThis as unknown as { gatehouseMcpRegistry?: TenantCache<Awaited<ReturnType<typeof loadRegistry>>> };
const registryCache = (globalCache.gatehouseMcpRegistry ??= new TenantCache({ kinds: ["policy", "tenant"], ttlMs: 30_000, load: loadRegistry }));

/** A forbid that holds for every call: no condition could make it not match. */
const unconditional = (r: Rule) => r.resources.length === 0 && r.constraints.length === 0 && r.destinations.length === 0 && r.timeWindow === null && r.cedar === "";
const ref = (r: Rule): RuleRef => ({ id: r.id, name: r.name });

/**
 * Why the gateway could not execute a call of this operation, as tools/call would find it
 * (lib/gateway/call-tool.ts): no upstream, no active connection, or an HTTP operation
 * without its method and path. An MCP upstream needs no per-operation mapping.
 */
function upstreamProblemOf(upstream: ToolUpstream | undefined, operation: string): UpstreamProblem | null {
  if (!upstream || upstream.kind === "none" || !upstream.baseUrl) return { code: "no_upstream" };
  if (!upstream.connection) return { code: "no_connection" };
  if (upstream.connection.status !== "active") return { code: "connection_disabled", connection: upstream.connection.name };
  const op = upstream.operations.get(operation);
  if (upstream.kind === "http" && !(op?.method && op.path)) return { code: "no_http_mapping" };
  return null;
}

/**
 * Every operation of the tenant's registry as this agent's tools/list sees it (least
 * privilege): listed when some enforced permit rule names the agent and the operation and
 * no unconditional enforced forbid rule does. Whether a given call is allowed is still
 * decided per call. With `explain`, also the operations that are not listed, and for listed
 * ones what may still stop a call (conditional forbids, kill switches, upstream
 * problems); without it, tools no permit
 * rule names are skipped, which keeps tools/list and tools/call cheap.
 */
export async function analyzeMcpTools(agent: { tenantId: string; agentId: string; labels: string[] }, { explain }: { explain: boolean }): Promise<OperationListing[]> {
  const policy = await policyCache.get(agent.tenantId);
  const who = { id: agent.agentId, labels: agent.labels };
  const byTool = new Map<string, { enforced: Rule[]; shadow: Rule[] }>();
  for (const r of policy.rules) {
    if (!ruleAppliesTo(r, who)) continue;
    let rules = byTool.get(r.tool);
    if (!rules) byTool.set(r.tool, (rules = { enforced: [], shadow: [] }));
    (r.mode === "enforce" ? rules.enforced : rules.shadow).push(r);
  }
  const permitsTool = (name: string) => byTool.get(name)?.enforced.some((r) => r.effect === "permit") ?? false;
  const registry = await registryCache.get(agent.tenantId);
  const tools = explain ? registry : registry.filter((t) => permitsTool(t.name));
  if (tools.length === 0) return [];
  const gateway = explain ? await gatewayCache.get(agent.tenantId) : null;

  const listings: OperationListing[] = [];
  for (const tool of tools) {
    const rules = byTool.get(tool.name) ?? { enforced: [], shadow: [] };
    for (const op of tool.operations) {
      const covering = rules.enforced.filter((r) => ruleCoversOperation(r, tool.name, op.name));
      const permits = covering.filter((r) => r.effect === "permit");
      const forbids = covering.filter((r) => r.effect === "forbid");
      const blocking = forbids.find(unconditional);
      const reason: ListingReason = blocking
        ? { code: "forbidden", rule: ref(blocking) }
        : permits.length
          ? { code: "permitted", rules: permits.map(ref) }
          : { code: "no_permit_rule", shadowRules: rules.shadow.filter((r) => r.effect === "permit" && ruleCoversOperation(r, tool.name, op.name)).map(ref) };
      const listed = reason.code === "permitted";
      if (!listed && !explain) continue;
      const title = `${tool.displayName}: ${op.name}`;
      const schema = op.argsSchema && typeof op.argsSchema === "object" && !Array.isArray(op.argsSchema) ? (op.argsSchema as Record<string, unknown>) : {};
      const entry: McpToolEntry | null = listed
        ? {
            toolName: tool.name,
            operation: op.name,
            tool: {
              name: mcpToolName(tool.name, op.name),
              title,
              description: op.description || tool.description || `${op.name} on ${tool.displayName}`,
              // MCP requires an object schema at the top.
              inputSchema: { ...schema, type: "object" },
              annotations: annotationsFor(op.riskClass, op.reversible, title),
            },
          }
        : null;
      const notes: ListingNote[] = [];
      let upstreamProblem: UpstreamProblem | null = null;
      if (explain && listed) {
        for (const r of forbids) notes.push({ code: "conditional_forbid", rule: ref(r) });
        const halted = policy.killedTools.get(tool.name);
        if (halted !== undefined) notes.push({ code: "tool_halted", reason: halted });
        upstreamProblem = upstreamProblemOf(gateway!.tools.get(tool.name), op.name);
      }
      listings.push({ toolName: tool.name, toolDisplayName: tool.displayName, operation: op.name, mcpName: mcpToolName(tool.name, op.name), listed, reason, notes, upstreamProblem, entry });
    }
  }
  return listings;
}

/**
 * An agent's tools/list result with its JSON made once per listing: a 500-operation
 * catalogue is about 150 KB of JSON, which every tools/list built again (a large string per
 * request, which also brought the next full GC closer). The MCP transport sends `json` as it
 * is; `toJSON` keeps it an ordinary value wherever it is serialized otherwise (a batch, a stream).
 */
export class ToolsListResult {
  constructor(
    readonly tools: McpTool[],
    /** `{"tools":[…]}` */
    readonly json: Buffer,
    /** Fields a revision adds around the tools (2026-07-28: resultType, cache hints), written before them. */
    readonly fields: Record<string, unknown> = {},
  ) {}
  /** The same listing with `fields` (its JSON is shared, not made again). */
  with(fields: Record<string, unknown>): ToolsListResult {
    return new ToolsListResult(this.tools, this.json, fields);
  }
  /** The result's JSON: `fields`, then the tools. */
  bytes(): Buffer {
    const fields = JSON.stringify(this.fields);
    return fields === "{}" ? this.json : Buffer.concat([Buffer.from(`${fields.slice(0, -1)},`), this.json.subarray(1)]);
  }
  toJSON() {
    return { ...this.fields, tools: this.tools };
  }
}

type Listed = { entries: McpToolEntry[]; byName: Map<string, McpToolEntry>; result?: ToolsListResult };
// Per loaded policy and registry (both replaced on publish or a registry change), per agent and its labels:
// tools/call looks its tool up here instead of analysing every operation of the tenant again.
const listedCache = new WeakMap<object, WeakMap<object, BoundedMap<string, Listed>>>();

async function listedFor(agent: Pick<AgentPrincipal, "tenantId" | "agentId" | "labels">): Promise<Listed> {
  const [policy, registry] = await Promise.all([policyCache.get(agent.tenantId), registryCache.get(agent.tenantId)]);
  let byRegistry = listedCache.get(policy);
  if (!byRegistry) listedCache.set(policy, (byRegistry = new WeakMap()));
  let byAgent = byRegistry.get(registry);
  if (!byAgent) byRegistry.set(registry, (byAgent = new BoundedMap(10_000)));
  const key = `${agent.agentId}\n${agent.labels.join("\n")}`;
  let listed = byAgent.get(key);
  if (!listed) {
    const entries = (await analyzeMcpTools(agent, { explain: false })).flatMap((l) => (l.entry ? [l.entry] : []));
    listed = { entries, byName: new Map(entries.map((e) => [e.tool.name, e])) };
    byAgent.set(key, listed);
  }
  return listed;
}

/** The agent's tools/list result (the operations its published policy could allow), serialized once per listing. */
export async function toolsListResult(agent: Pick<AgentPrincipal, "tenantId" | "agentId" | "labels">): Promise<ToolsListResult> {
  const listed = await listedFor(agent);
  if (!listed.result) {
    const tools = listed.entries.map((e) => e.tool);
    listed.result = new ToolsListResult(tools, Buffer.from(JSON.stringify({ tools })));
  }
  return listed.result;
}

/** One tool of the agent's tools/list by its MCP name; undefined when it is not listed. */
export async function findMcpTool(agent: Pick<AgentPrincipal, "tenantId" | "agentId" | "labels">, name: string): Promise<McpToolEntry | undefined> {
  return (await listedFor(agent)).byName.get(name);
}
