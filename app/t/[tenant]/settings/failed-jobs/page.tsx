import { requireMember } from "@/lib/auth/page-guard";
import { listDeadLetters } from "@/lib/queue/list-dead-letters";
import { FailedJobs } from "@/components/settings/failed-jobs";

export const metadata = { title: "Failed jobs" };

export default async function FailedJobsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug, "settings.manage");
  const jobs = await listDeadLetters({ tenantId: member.tenant.id });
  return <FailedJobs slug={slug} initial={jobs} />;
}
