import { requireMember } from "@/lib/auth/page-guard";
import { listPendingApprovals } from "@/lib/approvals/list-approvals";
import { Icons } from "@/components/ui/icons";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

export const metadata = { title: "Approvals" };

export default async function ApprovalsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const pending = await listPendingApprovals({ tenantId: member.tenant.id });
  return (
    <>
      <PageHeader title="Approvals" description="Risky actions wait here for a human. Each request is bound to the exact action the agent proposed." />
      {pending.length === 0 ? (
        <EmptyState icon={<Icons.approvals className="h-8 w-8" />} title="Nothing is waiting for approval">
          When a rule requires a human (refunds above a threshold, merges to main), the request appears here with what will execute if you
          approve it.
        </EmptyState>
      ) : (
        <Table label="Pending approvals">
          <thead>
            <tr>
              <Th>Action</Th>
              <Th>Reason</Th>
              <Th>Expires</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {pending.map((a) => (
              <tr key={a.id}>
                <Td className="font-mono text-xs">{JSON.stringify(a.action).slice(0, 120)}</Td>
                <Td>{a.reason}</Td>
                <Td>
                  <Time value={a.expiresAt} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
