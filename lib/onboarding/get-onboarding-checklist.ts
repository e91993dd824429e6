import { withTenant } from "@/lib/db/tenant";
import { analyzeMcpTools } from "@/lib/mcp/list-mcp-tools";
import { rulesSchema } from "@/lib/policy/rules";
import { findApproverGap, type ApproverGap } from "./find-approver-gap";

export const ONBOARDING_STEPS = ["agent", "credential", "tool", "rule", "call"] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

export type OnboardingChecklist = {
  done: Record<OnboardingStep, boolean>;
  complete: boolean;
  /** The agent the snippets name: the oldest active one with a live credential, else the oldest registered. */
  agent: { id: string; name: string; tokenTtlSeconds: number } | null;
  counts: { agents: number; tools: number; connections: number; permitRules: number };
  /** A tool whose calls the gateway executes (an upstream with an active connection). */
  enforcedTool: { name: string } | null;
  /** An operation for the snippets' first call, preferably one the agent's tools/list holds and the gateway executes (`executes`). */
  example: { tool: string; operation: string; mcpName: string; executes: boolean; inputSchema: Record<string, unknown> | null } | null;
  /** The latest recorded decision (every gateway and MCP call records one). */
  lastCall: { at: string; tool: string; operation: string; outcome: string; runId: string } | null;
  approverGap: ApproverGap;
};

/**
 * The first-run path of a tenant, read from what exists: an agent, a live credential, a
 * tool the gateway executes (upstream + active connection), a published permit rule, a
 * recorded decision. Each step ticks itself when its rows appear.
 */
export async function getOnboardingChecklist({ tenantId }: { tenantId: string }): Promise<OnboardingChecklist> {
  const now = new Date();
  const [rows, approverGap] = await Promise.all([
    withTenant({ tenantId }, async (tx) => {
      const [firstAgent, credentialed, agents, tools, connections, enforcedTool, version, lastCall] = await Promise.all([
        tx.agent.findFirst({ where: { tenantId, status: { not: "decommissioned" } }, orderBy: { createdAt: "asc" }, select: { id: true, name: true, tokenTtlSeconds: true, labels: true } }),
        tx.agent.findFirst({
          where: { tenantId, status: "active", credentials: { some: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } } },
          orderBy: { createdAt: "asc" },
          select: { id: true, name: true, tokenTtlSeconds: true, labels: true },
        }),
        tx.agent.count({ where: { tenantId, status: { not: "decommissioned" } } }),
        tx.tool.count({ where: { tenantId } }),
        tx.connection.count({ where: { tenantId, status: "active" } }),
        tx.tool.findFirst({
          where: { tenantId, upstreamKind: { not: "none" }, upstreamBaseUrl: { not: null }, connection: { is: { tenantId, status: "active" } } },
          orderBy: { name: "asc" },
          select: { name: true },
        }),
        tx.policyVersion.findFirst({ where: { tenantId }, orderBy: { version: "desc" }, select: { rules: true } }),
        tx.decision.findFirst({ where: { tenantId }, orderBy: { createdAt: "desc" }, select: { createdAt: true, tool: true, operation: true, outcome: true, runExternalId: true } }),
      ]);
      const parsed = version ? rulesSchema.safeParse(version.rules) : null;
      const permitRules = parsed?.success ? parsed.data.filter((r) => r.effect === "permit" && r.mode === "enforce").length : 0;
      return { agent: credentialed ?? firstAgent, hasCredential: credentialed !== null, agents, tools, connections, enforcedTool, permitRules, lastCall };
    }),
    findApproverGap({ tenantId }),
  ]);

  const listing = rows.agent ? await analyzeMcpTools({ tenantId, agentId: rows.agent.id, labels: rows.agent.labels }, { explain: true }) : [];
  const listed = listing.filter((l) => l.listed);
  const pick = listed.find((l) => !l.upstreamProblem && l.notes.length === 0) ?? listed.find((l) => !l.upstreamProblem) ?? listed[0] ?? listing[0] ?? null;

  const done = {
    agent: rows.agents > 0,
    credential: rows.hasCredential,
    tool: rows.enforcedTool !== null,
    rule: rows.permitRules > 0,
    call: rows.lastCall !== null,
  };
  return {
    done,
    complete: Object.values(done).every(Boolean),
    agent: rows.agent ? { id: rows.agent.id, name: rows.agent.name, tokenTtlSeconds: rows.agent.tokenTtlSeconds } : null,
    counts: { agents: rows.agents, tools: rows.tools, connections: rows.connections, permitRules: rows.permitRules },
    enforcedTool: rows.enforcedTool,
    example: pick
      ? {
          tool: pick.toolName,
          operation: pick.operation,
          mcpName: pick.mcpName,
          executes: pick.listed && !pick.upstreamProblem,
          inputSchema: pick.entry?.tool.inputSchema ?? null,
        }
      : null,
    lastCall: rows.lastCall
      ? { at: rows.lastCall.createdAt.toISOString(), tool: rows.lastCall.tool, operation: rows.lastCall.operation, outcome: rows.lastCall.outcome, runId: rows.lastCall.runExternalId }
      : null,
    approverGap,
  };
}
