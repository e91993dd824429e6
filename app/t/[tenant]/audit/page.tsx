import { requireMember } from "@/lib/auth/page-guard";
import { listAuditActions } from "@/lib/audit/list-audit-entries";
import { latestAuditVerifications } from "@/lib/audit/record-verification";
import { AuditLog } from "@/components/audit/audit-log";
import { DigestChain } from "@/components/audit/digest-chain";
import { listDigests } from "@/lib/evidence/digests";
import { PageHeader } from "@/components/ui/page";

export const metadata = { title: "Audit" };

export default async function AuditPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug, "audit.view");
  const [actions, verifications, digests] = await Promise.all([
    listAuditActions({ tenantId: member.tenant.id }),
    latestAuditVerifications({ tenantId: member.tenant.id, take: 1 }),
    listDigests({ tenantId: member.tenant.id, take: 24 }),
  ]);
  const last = verifications[0];
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every admin change, decision and approval, append-only and hash-chained: altering or removing any entry breaks the chain."
      />
      <div className="mb-4">
        <DigestChain slug={slug} digests={digests} />
      </div>
      <AuditLog
        slug={slug}
        actions={actions}
        lastVerification={
          last
            ? { ok: last.ok, checked: last.checked, at: last.createdAt.toISOString(), brokenAtSeq: last.brokenAtSeq?.toString() ?? null, problem: last.problem, headSeq: last.headSeq?.toString() ?? null }
            : null
        }
      />
    </>
  );
}
