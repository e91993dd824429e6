import { withTenant } from "@/lib/db/tenant";
import { publicOrigin } from "@/lib/http/client-address";
import { analyzeMcpTools } from "@/lib/mcp/list-mcp-tools";
import { rulesSchema } from "@/lib/policy/rules";
import { buildSnippets, pickExample, type Snippet, type SnippetExample } from "./build-snippets";
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
  example: SnippetExample | null;
  /** The latest recorded decision (every gateway and MCP call records one). */
  lastCall: { at: string; tool: string; operation: string; outcome: string; runId: string; runPageId: string | null } | null;
  approverGap: ApproverGap;
  /** The configured public origin (PUBLIC_URL, else NEXTAUTH_URL; never a Host header), null when unset. */
  baseUrl: string | null;
  /** Copy-paste snippets for `agent` and `example`, filled in with `baseUrl`. */
  snippets: Snippet[];
};

/**
 * The first-run path of a tenant, read from what exists: an agent, a live credential, a
 * tool the gateway executes (upstream + active connection), a published permit rule, a
 * recorded decision. Each step ticks itself when its rows appear. With the snippets that
 * take the agent from there to its first call.
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
      // The run page is keyed by the run row, which the worker writes with the call's timeline events.
      const lastRun = lastCall ? await tx.run.findUnique({ where: { tenantId_externalId: { tenantId, externalId: lastCall.runExternalId } }, select: { id: true } }) : null;
      const parsed = version ? rulesSchema.safeParse(version.rules) : null;
      const permitRules = parsed?.success ? parsed.data.filter((r) => r.effect === "permit" && r.mode === "enforce").length : 0;
      return { agent: credentialed ?? firstAgent, hasCredential: credentialed !== null, agents, tools, connections, enforcedTool, permitRules, lastCall, lastRun };
    }),
    findApproverGap({ tenantId }),
  ]);

  const listing = rows.agent ? await analyzeMcpTools({ tenantId, agentId: rows.agent.id, labels: rows.agent.labels }, { explain: true }) : [];

  const done = {
    agent: rows.agents > 0,
    credential: rows.hasCredential,
    tool: rows.enforcedTool !== null,
    rule: rows.permitRules > 0,
    call: rows.lastCall !== null,
  };
  const agent = rows.agent ? { id: rows.agent.id, name: rows.agent.name, tokenTtlSeconds: rows.agent.tokenTtlSeconds } : null;
  const example = pickExample(listing);
  const baseUrl = publicOrigin();
  return {
    done,
    complete: Object.values(done).every(Boolean),
    agent,
    counts: { agents: rows.agents, tools: rows.tools, connections: rows.connections, permitRules: rows.permitRules },
    enforcedTool: rows.enforcedTool,
    example,
    lastCall: rows.lastCall
      ? { at: rows.lastCall.createdAt.toISOString(), tool: rows.lastCall.tool, operation: rows.lastCall.operation, outcome: rows.lastCall.outcome, runId: rows.lastCall.runExternalId, runPageId: rows.lastRun?.id ?? null }
      : null,
    approverGap,
    baseUrl,
    snippets: buildSnippets({ baseUrl, agent, example }),
  };
}
