import { listAgents } from "@/lib/agents/list-agents";
import { listApprovalQueue } from "@/lib/approvals/list-approval-queue";
import { approvalQueueQuery } from "@/lib/approvals/schemas";
import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { findApproverGap } from "@/lib/onboarding/find-approver-gap";
import { listTools } from "@/lib/tools/list-tools";
import { ApprovalQueue, type QueueFilters } from "@/components/approvals/approval-queue";
import { ApproverGapNotice } from "@/components/onboarding/approver-gap-notice";
import { PageHeader } from "@/components/ui/page";

export const metadata = { title: "Approvals" };

export default async function ApprovalsPage({ params, searchParams }: { params: Promise<{ tenant: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = approvalQueueQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : approvalQueueQuery.parse({});
  const tenantId = member.tenant.id;
  const [queue, agents, tools, approverGap] = await Promise.all([
    listApprovalQueue({ tenantId, viewer: { userId: member.user.id, role: member.role }, query }),
    listAgents({ tenantId }),
    listTools({ tenantId }),
    findApproverGap({ tenantId }),
  ]);
  const filters: QueueFilters = { status: query.status, agent: query.agent ?? "", tool: query.tool ?? "", risk: query.risk ?? "", page: query.page };
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Risky actions wait here for a human, most urgent first. Each request is bound to the exact action the agent proposed; an unanswered request expires and counts as denied."
      />
      {approverGap.blockedAgents.count > 0 ? (
        <div className="mb-4">
          <ApproverGapNotice gap={approverGap} membersHref={can(member.role, "members.manage") ? `/t/${slug}/settings/members` : null} />
        </div>
      ) : null}
      <ApprovalQueue
        slug={slug}
        initial={queue}
        initialFilters={filters}
        agents={agents.map((a) => ({ id: a.id, name: a.name }))}
        tools={tools.map((t) => t.name)}
      />
    </>
  );
}
