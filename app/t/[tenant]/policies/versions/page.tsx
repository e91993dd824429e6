import { requireMember } from "@/lib/auth/page-guard";
import { getPolicy } from "@/lib/policy/manage-policy";
import { PoliciesHeader } from "@/components/policies/policies-header";
import { VersionsList } from "@/components/policies/versions-list";

export const metadata = { title: "Policy versions" };

export default async function PolicyVersionsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const policy = await getPolicy({ tenantId: member.tenant.id });
  return (
    <>
      <PoliciesHeader slug={slug} active="versions" />
      <VersionsList slug={slug} initialPolicy={policy} now={Date.now()} />
    </>
  );
}
