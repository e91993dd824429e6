import Link from "next/link";
import { notFound } from "next/navigation";
import { requireMember } from "@/lib/auth/page-guard";
import { AppError } from "@/lib/errors";
import { getRun } from "@/lib/runs/get-run";
import { RunView } from "@/components/runs/run-view";
import { PageHeader } from "@/components/ui/page";

export const metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ tenant: string; runId: string }> }) {
  const { tenant: slug, runId } = await params;
  const member = await requireMember(slug);
  const run = await getRun({ tenantId: member.tenant.id, id: runId }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  return (
    <>
      <PageHeader
        title={run.run_id}
        description={
          <>
            <Link href={`/t/${slug}/runs`} className="text-brand-700 hover:underline">
              Runs
            </Link>{" "}
            · server-attested decisions, approvals and gateway calls are marked <span className="font-medium">server</span> (calls Gatehouse made itself: <span className="font-medium">Attested by Gatehouse</span>); everything else is what the agent reported.
          </>
        }
      />
      <RunView slug={slug} initial={run} />
    </>
  );
}
