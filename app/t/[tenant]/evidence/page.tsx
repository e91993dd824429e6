import { requireMember } from "@/lib/auth/page-guard";
import { publicEvidenceKeys } from "@/lib/evidence/keys";
import { listExports } from "@/lib/evidence/list-exports";
import { listRunAgents } from "@/lib/runs/list-runs";
import { EvidencePanel } from "@/components/evidence/evidence-panel";
import { PageHeader } from "@/components/ui/page";

export const metadata = { title: "Evidence" };

export default async function EvidencePage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug, "exports.create");
  const [agents, exports, keys] = await Promise.all([
    listRunAgents({ tenantId: member.tenant.id }),
    listExports({ tenantId: member.tenant.id }),
    publicEvidenceKeys(),
  ]);
  return (
    <>
      <PageHeader
        title="Evidence"
        description="Signed bundles that prove what agents did in a period: every decision with the policy in force, every approval and vote, every tool call, side effect and cost, every admin change. Verify them on your own machine, without trusting Gatehouse."
      />
      <EvidencePanel slug={slug} agents={agents} initial={exports} keyId={keys[0]!.kid} />
    </>
  );
}
