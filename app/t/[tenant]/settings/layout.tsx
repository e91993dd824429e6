import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { SettingsTabs } from "@/components/settings/settings-tabs";
import { PageHeader } from "@/components/ui/page";

export default async function SettingsLayout({ children, params }: { children: React.ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  return (
    <>
      <PageHeader title="Settings" description="The tenant's name, its members and their roles. Every change here is recorded in the audit log." />
      <SettingsTabs slug={slug} showMembers={can(member.role, "members.view")} showNotifications={can(member.role, "settings.manage")} showFailedJobs={can(member.role, "settings.manage")} />
      {children}
    </>
  );
}
