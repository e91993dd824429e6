import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { withTenant } from "@/lib/db/tenant";
import { getPolicy } from "@/lib/policy/manage-policy";
import { registryForEditor } from "@/lib/policy/registry-for-editor";
import { validateRules } from "@/lib/policy/validate-rules";
import { AllowlistEditor } from "@/components/policies/allowlist-editor";
import { PoliciesHeader } from "@/components/policies/policies-header";

export const metadata = { title: "Policies" };

export default async function PoliciesPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const tenantId = member.tenant.id;
  const [policy, registry] = await Promise.all([getPolicy({ tenantId }), registryForEditor({ tenantId })]);
  // The draft's problems as of now (the registry may have changed since it was saved), so
  // Publish is disabled from the first paint; later saves answer with fresh ones.
  const problems = policy.draft.length ? (await withTenant({ tenantId }, (tx) => validateRules(tx, tenantId, policy.draft))).problems : [];
  return (
    <>
      <PoliciesHeader slug={slug} active="allowlist" />
      <AllowlistEditor
        slug={slug}
        initialPolicy={policy}
        initialRegistry={registry}
        initialProblems={problems}
        canManage={can(member.role, "policies.manage")}
        now={Date.now()}
      />
    </>
  );
}
