import { requireMember } from "@/lib/auth/page-guard";
import { listRecentRuns } from "@/lib/runs/list-runs";
import { Badge } from "@/components/ui/badge";
import { Icons } from "@/components/ui/icons";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

export const metadata = { title: "Runs" };

export default async function RunsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const runs = await listRecentRuns({ tenantId: member.tenant.id });
  return (
    <>
      <PageHeader title="Runs" description="Every run an agent reported, with what it did, under which policy, with which approvals and at what cost." />
      {runs.length === 0 ? (
        <EmptyState icon={<Icons.runs className="h-8 w-8" />} title="No runs yet">
          Agents push what they did to the ingest API (or any OpenTelemetry exporter). Each run becomes a timeline you can replay step by
          step.
        </EmptyState>
      ) : (
        <Table label="Runs">
          <thead>
            <tr>
              <Th>Run</Th>
              <Th>Agent</Th>
              <Th>Outcome</Th>
              <Th>Started</Th>
              <Th className="text-right">Tool calls</Th>
              <Th className="text-right">Errors</Th>
              <Th className="text-right">Cost (USD)</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {runs.map((r) => (
              <tr key={r.id}>
                <Td className="font-mono text-xs">{r.externalId}</Td>
                <Td>{r.agentName}</Td>
                <Td>
                  {r.outcome ? (
                    <Badge tone={r.outcome === "succeeded" ? "green" : r.outcome === "escalated" ? "amber" : "red"}>{r.outcome}</Badge>
                  ) : (
                    <Badge tone="brand">running</Badge>
                  )}
                </Td>
                <Td>
                  <Time value={r.startedAt} />
                </Td>
                <Td className="text-right tabular-nums">{r.toolCalls}</Td>
                <Td className="text-right tabular-nums">{r.errorCount}</Td>
                <Td className="text-right tabular-nums">{Number(r.costUsd).toFixed(2)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
