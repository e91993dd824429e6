import { requireMember } from "@/lib/auth/page-guard";
import { capabilityReport } from "@/lib/policy/capability-report";
import { registryForEditor } from "@/lib/policy/registry-for-editor";
import { CapabilitiesReport } from "@/components/policies/capabilities-report";
import { PoliciesHeader } from "@/components/policies/policies-header";

export const metadata = { title: "Capability report" };

export default async function PolicyCapabilitiesPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const tenantId = member.tenant.id;
  const [report, registry] = await Promise.all([capabilityReport({ tenantId }), registryForEditor({ tenantId })]);
  return (
    <>
      <PoliciesHeader slug={slug} active="capabilities" />
      <CapabilitiesReport slug={slug} initial={report} agents={registry.agents} now={Date.now()} />
    </>
  );
}
