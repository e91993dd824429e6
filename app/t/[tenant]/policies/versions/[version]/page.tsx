import { notFound } from "next/navigation";
import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { getPolicy, getPolicyVersion } from "@/lib/policy/manage-policy";
import { registryForEditor } from "@/lib/policy/registry-for-editor";
import { PoliciesHeader } from "@/components/policies/policies-header";
import { VersionDetail } from "@/components/policies/version-detail";

export async function generateMetadata({ params }: { params: Promise<{ version: string }> }) {
  const { version } = await params;
  return { title: `Policy version ${version}` };
}

export default async function PolicyVersionPage({ params }: { params: Promise<{ tenant: string; version: string }> }) {
  const { tenant: slug, version: raw } = await params;
  const member = await requireMember(slug);
  const number = /^\d{1,9}$/.test(raw) ? Number(raw) : null;
  if (number === null) notFound();
  const tenantId = member.tenant.id;
  const [version, policy, registry] = await Promise.all([getPolicyVersion({ tenantId, version: number }), getPolicy({ tenantId }), registryForEditor({ tenantId })]);
  if (!version) notFound();
  return (
    <>
      <PoliciesHeader slug={slug} active="versions" />
      <VersionDetail
        slug={slug}
        version={version}
        initialPolicy={policy}
        agents={registry.agents}
        publishedBy={policy.versions.find((v) => v.version === number)?.publishedBy ?? null}
        canManage={can(member.role, "policies.manage")}
        now={Date.now()}
      />
    </>
  );
}
