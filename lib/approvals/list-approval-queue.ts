import type { Role } from "@/lib/db/generated/enums";
import { can } from "@/lib/auth/roles";
import { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import type { RiskClass } from "@/lib/tools/schemas";
import { expireDueApprovals } from "./expire-approvals";
import { groupCoverage, type GroupVote } from "./group-coverage";
import { IN_FLIGHT_MS } from "./owners-while-pending";
import { APPROVAL_STATUSES, decideBlock, type ApprovalQueueQuery, type ApprovalStatus, type QueueCounts, type QueueItem, type QueuePage } from "./schemas";

// The registry's risk class of the approval's operation (null when no longer registered).
const JOINS = Prisma.sql`
  LEFT JOIN tools t ON t."tenantId" = a."tenantId" AND t.name = a.action->>'tool'
  LEFT JOIN tool_operations o ON o."toolId" = t.id AND o.name = a.action->>'operation'`;

const RISK_RANK = Prisma.sql`CASE o."riskClass"
  WHEN 'money' THEN 0 WHEN 'deploy' THEN 1 WHEN 'delete' THEN 2 WHEN 'identity' THEN 3
  WHEN 'write' THEN 5 WHEN 'read' THEN 6 ELSE 4 END`;

function filters(tenantId: string, query: Pick<ApprovalQueueQuery, "agent" | "tool" | "risk">) {
  const parts = [Prisma.sql`a."tenantId" = ${tenantId}`];
  if (query.agent) parts.push(Prisma.sql`a."agentId" = ${query.agent}`);
  if (query.tool) parts.push(Prisma.sql`a.action->>'tool' = ${query.tool}`);
  if (query.risk) parts.push(Prisma.sql`o."riskClass" = ${query.risk}::"RiskClass"`);
  return parts;
}

type Row = {
  id: string;
  status: ApprovalStatus;
  agentId: string;
  agentName: string | null;
  ownerId: string | null;
  action: { tool?: string; operation?: string; resource?: { type?: string; id?: string } | null; args?: Record<string, unknown> };
  reason: string;
  runExternalId: string;
  requiredApprovals: number;
  requiredGroups: string[];
  escalateTo: string | null;
  escalateAt: Date | null;
  escalatedAt: Date | null;
  approvers: GroupVote[];
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
  riskClass: RiskClass | null;
  ownedWhilePending: boolean;
  approvals: number;
  votes: number;
  myVote: "approve" | "deny" | null;
};

/** A one-line look at the arguments for the queue: `key=value` pairs, shortened. */
export function previewArgs(args: Record<string, unknown> | undefined, max = 140): string {
  const text = Object.entries(args ?? {})
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The approvals queue: pending requests by urgency (soonest expiry first, then the
 * operation's risk class, money/deploy/delete/identity first), or the decided history
 * (most recently decided first), filtered by agent, tool and risk class, a page at a
 * time; with the count of every status under the same filters.
 */
export async function listApprovalQueue(input: { tenantId: string; viewer: { userId: string; role: Role }; query: ApprovalQueueQuery }): Promise<QueuePage> {
  const { tenantId, query, viewer } = input;
  const canDecideRole = can(viewer.role, "approvals.decide");
  // Expiry means denied: pending requests past their expiry are settled as expired (with
  // their audit and timeline entries) before reading, so lists and counts never show them
  // as waiting. The worker's every-minute sweep does the same without a reader.
  await expireDueApprovals({ tenantId });
  return withTenant({ tenantId }, async (tx) => {
    const where = filters(tenantId, query);
    const statusWhere =
      query.status === "decided" ? Prisma.sql`a.status <> 'pending'` : Prisma.sql`a.status = ${query.status}::"ApprovalStatus"`;
    const order =
      query.status === "pending"
        ? Prisma.sql`a."expiresAt" ASC, ${RISK_RANK} ASC, a."createdAt" ASC, a.id ASC`
        : Prisma.sql`COALESCE(a."decidedAt", a."createdAt") DESC, a.id DESC`;

    const [rows, countRows] = await Promise.all([
      tx.$queryRaw<Row[]>`
        SELECT a.id, a.status::text AS status, a."agentId", g.name AS "agentName", g."ownerId", a.action, a.reason, a."runExternalId",
               a."requiredApprovals", a."requiredGroups", a."escalateTo", a."escalateAt", a."escalatedAt", a."createdAt", a."expiresAt", a."decidedAt", o."riskClass"::text AS "riskClass",
               (SELECT count(*)::int FROM approval_votes v WHERE v."approvalId" = a.id AND v.verdict = 'approve') AS approvals,
               (SELECT count(*)::int FROM approval_votes v WHERE v."approvalId" = a.id) AS votes,
               (SELECT coalesce(json_agg(json_build_object('userId', v."userId", 'groups', v.groups)), '[]'::json)
                  FROM approval_votes v WHERE v."approvalId" = a.id AND v.verdict = 'approve') AS approvers,
               (SELECT v.verdict FROM approval_votes v WHERE v."approvalId" = a.id AND v."userId" = ${viewer.userId}) AS "myVote",
               -- The viewer owned the agent at some time since the request (as ownersWhilePending reads it).
               EXISTS (SELECT 1 FROM audit_entries e
                        WHERE e."tenantId" = a."tenantId" AND e.action = 'agent.updated' AND e."targetType" = 'agent' AND e."targetId" = a."agentId"
                          AND e."createdAt" >= a."createdAt" - make_interval(secs => ${IN_FLIGHT_MS / 1000})
                          AND ${viewer.userId} IN (e.before->>'ownerId', e.after->>'ownerId')) AS "ownedWhilePending"
        FROM approvals a ${JOINS}
        LEFT JOIN agents g ON g."tenantId" = a."tenantId" AND g.id = a."agentId"
        WHERE ${Prisma.join([...where, statusWhere], " AND ")}
        ORDER BY ${order}
        LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`,
      tx.$queryRaw<{ status: ApprovalStatus; n: number }[]>`
        SELECT a.status::text AS status, count(*)::int AS n
        FROM approvals a ${query.risk ? JOINS : Prisma.empty}
        WHERE ${Prisma.join(where, " AND ")}
        GROUP BY a.status`,
    ]);

    const counts = Object.fromEntries([...APPROVAL_STATUSES, "decided"].map((s) => [s, 0])) as QueueCounts;
    for (const c of countRows) {
      counts[c.status] = c.n;
      if (c.status !== "pending") counts.decided += c.n;
    }
    const now = new Date();
    const items: QueueItem[] = rows.map((r) => {
      const ownsAgent = r.ownerId === viewer.userId || r.ownedWhilePending;
      return {
        id: r.id,
        status: r.status,
        agent: { id: r.agentId, name: r.agentName ?? r.agentId },
        tool: r.action.tool ?? "",
        operation: r.action.operation ?? "",
        riskClass: r.riskClass,
        resource: r.action.resource ?? null,
        argsPreview: previewArgs(r.action.args),
        reason: r.reason,
        runId: r.runExternalId,
        requiredApprovals: r.requiredApprovals,
        groups: groupStates(r.requiredGroups, r.approvers),
        escalation: r.escalateTo ? { to: r.escalateTo, at: r.escalateAt?.toISOString() ?? null, escalatedAt: r.escalatedAt?.toISOString() ?? null } : null,
        approvals: r.approvals,
        votes: r.votes,
        createdAt: r.createdAt.toISOString(),
        expiresAt: r.expiresAt.toISOString(),
        decidedAt: r.decidedAt?.toISOString() ?? null,
        viewer: { vote: r.myVote, ownsAgent, blocked: decideBlock({ canDecideRole, status: r.status, expiresAt: r.expiresAt, ownsAgent, myVote: r.myVote, now: now.getTime() }) },
      };
    });
    return { items, counts, total: counts[query.status], page: query.page, pageSize: query.pageSize, status: query.status, now: now.toISOString() };
  });
}

/** Each required group and whether an approving member has signed for it (one person signs for one group). */
export function groupStates(requiredGroups: string[], approvers: GroupVote[]): { name: string; signed: boolean }[] {
  const coverage = groupCoverage(requiredGroups, approvers);
  return requiredGroups.map((name) => ({ name, signed: coverage.signedBy[name] != null }));
}

/** The sidebar badge: requests still waiting for a human in this tenant. */
export async function countPendingApprovals({ tenantId }: { tenantId: string }): Promise<number> {
  return withTenant({ tenantId }, (tx) => tx.approval.count({ where: { tenantId, status: "pending", expiresAt: { gt: new Date() } } }));
}
