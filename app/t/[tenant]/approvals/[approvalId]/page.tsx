import { notFound } from "next/navigation";
import { getApprovalRequest } from "@/lib/approvals/get-approval-request";
import { requireMember } from "@/lib/auth/page-guard";
import { AppError } from "@/lib/errors";
import { ApprovalRequestView } from "@/components/approvals/approval-request";

export async function generateMetadata({ params }: { params: Promise<{ approvalId: string }> }) {
  const { approvalId } = await params;
  return { title: `Approval ${approvalId}` };
}

export default async function ApprovalPage({ params }: { params: Promise<{ tenant: string; approvalId: string }> }) {
  const { tenant: slug, approvalId } = await params;
  const member = await requireMember(slug);
  const request = await getApprovalRequest({ tenantId: member.tenant.id, approvalId, viewer: { userId: member.user.id, role: member.role } }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  return <ApprovalRequestView slug={slug} initial={request} />;
}
