import { can } from "@/lib/auth/roles";
import { Prisma } from "@/lib/db/generated/client";
import type { Role } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import type { Rule } from "@/lib/policy/rules";
import { readQuotaState } from "@/lib/quotas/read-quota-state";
import { diffArgs } from "./diff-args";
import { expireDueApprovals } from "./expire-approvals";
import { groupCoverage } from "./group-coverage";
import { ownersWhilePending } from "./owners-while-pending";
import { decideBlock, type ApprovalRequest, type ArgTrigger } from "./schemas";

type StoredAction = { tool?: string; operation?: string; resource?: { type?: string; id?: string } | null; args?: Record<string, unknown>; context?: unknown; redacted?: string[] };

const RUN_DECISIONS = 20;
/** Without a run record, the run's decisions are looked for this far back from the request. */
const RUN_LOOKBACK_MS = 24 * 60 * 60 * 1000;

function triggersOf(rule: Rule | null, args: Record<string, unknown>): ArgTrigger[] {
  if (rule?.approval.tier !== "threshold") return [];
  const { arg, above } = rule.approval;
  return arg in args ? [{ path: [arg], value: args[arg], why: `above ${above}` }] : [];
}

const firstReason = (reasons: unknown): string | null => {
  const first = Array.isArray(reasons) ? (reasons[0] as { code?: string; message?: string } | undefined) : undefined;
  return first?.message ?? first?.code ?? null;
};

/**
 * Everything an approver (or later an auditor) needs to judge one request: the exact
 * action that will execute if approved, who asked and who owns it, the rule and reason
 * that required a human and the arguments that triggered it, the agent's previous call of
 * the same operation (with what changed since), the run so far, the agent's
 * justification, the votes so far, and whether the viewer may still decide.
 * 404 for another tenant's request, as for one that does not exist.
 */
export async function getApprovalRequest(input: { tenantId: string; approvalId: string; viewer: { userId: string; role: Role } }): Promise<ApprovalRequest> {
  const { tenantId, approvalId, viewer } = input;
  await expireDueApprovals({ tenantId, approvalId });
  const request = await withTenant({ tenantId }, async (tx): Promise<Omit<ApprovalRequest, "limits">> => {
    const approval = await tx.approval.findFirst({ where: { id: approvalId, tenantId }, include: { votes: { orderBy: { createdAt: "asc" } } } });
    if (!approval) throw new AppError("not_found", "Approval request not found.");
    const action = approval.action as StoredAction;
    const tool = action.tool ?? "";
    const operation = action.operation ?? "";
    const args = action.args ?? {};

    const [agent, registryTool, decision, run] = await Promise.all([
      tx.agent.findFirst({ where: { tenantId, id: approval.agentId } }),
      tx.tool.findFirst({ where: { tenantId, name: tool }, include: { operations: { where: { name: operation } } } }),
      tx.decision.findFirst({ where: { tenantId, id: approval.decisionId }, select: { policyVersion: true } }),
      tx.run.findUnique({ where: { tenantId_externalId: { tenantId, externalId: approval.runExternalId } } }),
    ]);

    // The rule as published in the version that decided (when recorded), else the latest version.
    const version = await tx.policyVersion.findFirst({
      where: { tenantId, ...(decision?.policyVersion != null ? { version: decision.policyVersion } : {}) },
      orderBy: { version: "desc" },
      select: { version: true, rules: true },
    });
    const rule = approval.ruleId ? (((version?.rules ?? []) as unknown as Rule[]).find((r) => r.id === approval.ruleId) ?? null) : null;

    const runSince = run ? run.startedAt : new Date(approval.createdAt.getTime() - RUN_LOOKBACK_MS);
    const [previous, runDecisions, users] = await Promise.all([
      tx.decision.findFirst({
        where: { tenantId, agentId: approval.agentId, tool, operation, createdAt: { lt: approval.createdAt }, id: { not: approval.decisionId }, NOT: { args: { equals: Prisma.DbNull } } },
        orderBy: { createdAt: "desc" },
      }),
      tx.decision.findMany({
        where: { tenantId, agentId: approval.agentId, runExternalId: approval.runExternalId, createdAt: { gte: runSince } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: RUN_DECISIONS,
      }),
      tx.user.findMany({
        where: { id: { in: [...new Set([...approval.votes.map((v) => v.userId), ...(agent ? [agent.ownerId] : [])])] } },
        select: { id: true, email: true, name: true },
      }),
    ]);
    const userById = new Map(users.map((u) => [u.id, u]));
    const operationRow = registryTool?.operations[0];
    const myVote = (approval.votes.find((v) => v.userId === viewer.userId)?.verdict ?? null) as "approve" | "deny" | null;
    // "Owns" for separation of duties: owned the agent at any time since the request.
    const ownsAgent = (await ownersWhilePending(tx, { tenantId, agentId: approval.agentId, currentOwnerId: agent?.ownerId ?? null, since: approval.createdAt })).has(viewer.userId);
    const now = new Date();
    const previousArgs = (previous?.args ?? {}) as Record<string, unknown>;
    const coverage = groupCoverage(approval.requiredGroups, approval.votes.filter((v) => v.verdict === "approve"));

    return {
      id: approval.id,
      status: approval.status,
      createdAt: approval.createdAt.toISOString(),
      expiresAt: approval.expiresAt.toISOString(),
      decidedAt: approval.decidedAt?.toISOString() ?? null,
      redeemedAt: approval.redeemedAt?.toISOString() ?? null,
      decisionId: approval.decisionId,
      actionHash: approval.actionHash,
      agent: agent
        ? {
            id: agent.id,
            name: agent.name,
            description: agent.description,
            status: agent.status,
            environment: agent.environment,
            labels: agent.labels,
            owner: { id: agent.ownerId, email: userById.get(agent.ownerId)?.email ?? "unknown", name: userById.get(agent.ownerId)?.name ?? "" },
          }
        : null,
      tool,
      operation,
      registry: operationRow
        ? { displayName: registryTool.displayName, description: operationRow.description, riskClass: operationRow.riskClass, reversible: operationRow.reversible }
        : null,
      resource: action.resource ?? null,
      args,
      context: action.context && typeof action.context === "object" && !Array.isArray(action.context) ? (action.context as Record<string, unknown>) : null,
      redacted: Array.isArray(action.redacted) ? action.redacted : [],
      reason: approval.reason,
      ruleId: approval.ruleId,
      rule:
        rule && version
          ? { id: rule.id, name: rule.name, effect: rule.effect, approval: rule.approval, constraints: rule.constraints ?? [], resources: rule.resources ?? [], version: version.version }
          : null,
      triggers: triggersOf(rule, args),
      previous: previous
        ? {
            decisionId: previous.id,
            outcome: previous.outcome,
            createdAt: previous.createdAt.toISOString(),
            runId: previous.runExternalId,
            approvalId: previous.approvalId,
            resource: (previous.resource ?? null) as { type?: string; id?: string } | null,
            args: previousArgs,
            changes: diffArgs(previousArgs, args),
          }
        : null,
      run: {
        id: approval.runExternalId,
        internalId: run?.id ?? null,
        status: run ? (run.outcome ?? run.status) : null,
        costUsd: run ? Number(run.costUsd) : null,
        tokens: run ? run.inputTokens + run.outputTokens : null,
        toolCalls: run ? run.toolCalls : null,
        decisions: runDecisions.reverse().map((d) => ({
          id: d.id,
          tool: d.tool,
          operation: d.operation,
          outcome: d.outcome,
          reason: firstReason(d.reasons),
          createdAt: d.createdAt.toISOString(),
          approvalId: d.approvalId,
          isThis: d.id === approval.decisionId,
        })),
      },
      votes: approval.votes.map((v) => ({
        userId: v.userId,
        email: userById.get(v.userId)?.email ?? "unknown",
        name: userById.get(v.userId)?.name ?? "",
        verdict: v.verdict as "approve" | "deny",
        comment: v.comment,
        at: v.createdAt.toISOString(),
        groups: v.groups,
      })),
      requiredApprovals: approval.requiredApprovals,
      groups: approval.requiredGroups.map((name) => {
        const by = coverage.signedBy[name];
        return { name, signed: by != null, signedBy: by ? (userById.get(by)?.email ?? "unknown") : null };
      }),
      escalation: approval.escalateTo
        ? { to: approval.escalateTo, at: approval.escalateAt?.toISOString() ?? null, escalatedAt: approval.escalatedAt?.toISOString() ?? null }
        : null,
      approvals: approval.votes.filter((v) => v.verdict === "approve").length,
      quotaIds: approval.quotaIds,
      viewer: {
        vote: myVote,
        ownsAgent,
        blocked: decideBlock({ canDecideRole: can(viewer.role, "approvals.decide"), status: approval.status, expiresAt: approval.expiresAt, ownsAgent, myVote, now: now.getTime() }),
      },
      now: now.toISOString(),
    };
  });
  // Limits are read only while the request is open: afterwards "use now" says nothing about it.
  const limits =
    request.status === "pending" && request.agent
      ? await readQuotaState({
          subject: { tenantId, agentId: request.agent.id, labels: request.agent.labels, runId: request.run.id },
          call: { tool: request.tool, operation: request.operation, riskClass: request.registry?.riskClass },
          extended: request.quotaIds,
        })
      : [];
  return { ...request, limits };
}
