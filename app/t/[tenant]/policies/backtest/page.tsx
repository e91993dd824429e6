import { requireMember } from "@/lib/auth/page-guard";
import { getPolicy } from "@/lib/policy/manage-policy";
import { BacktestPanel } from "@/components/policies/backtest-panel";
import { PoliciesHeader } from "@/components/policies/policies-header";

export const metadata = { title: "Backtest the draft" };

export default async function PolicyBacktestPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const policy = await getPolicy({ tenantId: member.tenant.id });
  return (
    <>
      <PoliciesHeader slug={slug} active="backtest" />
      <BacktestPanel slug={slug} initialPolicy={policy} now={Date.now()} />
    </>
  );
}
