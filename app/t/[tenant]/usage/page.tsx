import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { getQuotaUsage } from "@/lib/quotas/get-usage";
import { listTools } from "@/lib/tools/list-tools";
import { UsageView } from "@/components/quotas/usage-view";
import { PageHeader } from "@/components/ui/page";

export const metadata = { title: "Usage and limits" };

export default async function UsagePage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const [usage, tools] = await Promise.all([getQuotaUsage({ tenantId: member.tenant.id }), listTools({ tenantId: member.tenant.id })]);
  return (
    <>
      <PageHeader
        title="Usage and limits"
        description="Hard caps a loop or an attacker cannot run past: every decision reserves against the limits that apply, atomically, and reported model spend settles against the same counters."
      />
      <UsageView
        slug={slug}
        initial={usage}
        canManage={can(member.role, "policies.manage")}
        tools={tools.map((t) => ({ name: t.name, operations: t.operations.map((o) => o.name) }))}
      />
    </>
  );
}
