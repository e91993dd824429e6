import { requireMember } from "@/lib/auth/page-guard";
import { listRunAgents } from "@/lib/runs/list-runs";
import { RunsList } from "@/components/runs/runs-list";
import { PageHeader } from "@/components/ui/page";

export const metadata = { title: "Runs" };

export default async function RunsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const agents = await listRunAgents({ tenantId: member.tenant.id });
  return (
    <>
      <PageHeader
        title="Runs"
        description="Every run an agent reported, with what it did, under which policy, with which approvals and at what cost. Agents push events to the ingest API (or any OpenTelemetry exporter); open a run to replay it step by step."
      />
      <RunsList slug={slug} agents={agents} />
    </>
  );
}
