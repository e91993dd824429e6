import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { env } from "@/lib/env";
import { getDataPolicy } from "@/lib/runs/update-data-policy";
import { DataPolicyForm } from "@/components/settings/data-policy-form";
import { TenantSettingsForm } from "@/components/settings/tenant-settings-form";
import { Card } from "@/components/ui/page";

export const metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const dataPolicy = await getDataPolicy({ tenantId: member.tenant.id });
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Card title="General">
        <TenantSettingsForm slug={slug} name={member.tenant.name} canEdit={can(member.role, "settings.manage")} />
      </Card>
      <Card title="Deployment">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-slate-500">Tenant id</dt>
          <dd className="font-mono text-xs">{member.tenant.id}</dd>
          <dt className="text-slate-500">Self-serve sign-up</dt>
          <dd>{env().SIGNUP_ENABLED ? "On" : "Off (private deployment)"}</dd>
          <dt className="text-slate-500">Single sign-on</dt>
          <dd>{env().OIDC_ISSUER ? <span className="font-mono text-xs">{env().OIDC_ISSUER}</span> : "Not configured (set OIDC_ISSUER)"}</dd>
        </dl>
      </Card>
      <Card title="Run data">
        <DataPolicyForm slug={slug} initial={dataPolicy} canEdit={can(member.role, "settings.manage")} />
      </Card>
    </div>
  );
}
