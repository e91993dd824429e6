import Link from "next/link";
import { countPendingApprovals } from "@/lib/approvals/list-approval-queue";
import { requireMember } from "@/lib/auth/page-guard";
import { listMyTenants } from "@/lib/auth/member";
import { can } from "@/lib/auth/roles";
import { ROLE_LABEL } from "@/lib/auth/roles";
import { listActiveKillSwitches } from "@/lib/kill-switches/engage-kill-switch";
import { KillSwitchBanner } from "@/components/kill-switches/kill-switch-banner";
import { NAV } from "@/components/shell/nav";
import { SidebarNav } from "@/components/shell/sidebar";
import { TenantSwitcher } from "@/components/shell/tenant-switcher";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { Icons } from "@/components/ui/icons";

export default async function TenantLayout({ children, params }: { children: React.ReactNode; params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const [tenants, killSwitches, pendingApprovals] = await Promise.all([
    listMyTenants(member.user.id),
    listActiveKillSwitches({ tenantId: member.tenant.id }),
    countPendingApprovals({ tenantId: member.tenant.id }),
  ]);
  const visible = NAV.filter((item) => can(member.role, item.permission)).map((item) => item.href);

  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <aside className="fixed inset-y-0 left-0 flex w-60 flex-col bg-slate-900">
        <Link href={`/t/${slug}`} className="flex items-center gap-2 px-5 pb-4 pt-5 text-white">
          <Icons.shield className="h-5 w-5 text-brand-100" />
          <span className="text-[15px] font-semibold tracking-tight">Gatehouse</span>
        </Link>
        <TenantSwitcher current={slug} tenants={tenants.map((t) => ({ slug: t.slug, name: t.name, role: ROLE_LABEL[t.role] }))} />
        <div className="mt-5 flex-1">
          <SidebarNav slug={slug} visible={visible} pendingApprovals={pendingApprovals} />
        </div>
        <div className="border-t border-slate-800 px-4 py-3">
          <div className="truncate text-sm text-white" title={member.user.email}>
            {member.user.name || member.user.email}
          </div>
          <div className="flex items-center justify-between">
            <span className="text-xs text-slate-400" data-testid="current-role">
              {ROLE_LABEL[member.role]}
            </span>
            <SignOutButton />
          </div>
        </div>
      </aside>
      <main id="main" className="ml-60 flex-1 px-8 py-6">
        <div className="mx-auto max-w-6xl">
          <KillSwitchBanner slug={slug} initial={killSwitches} manageHref={can(member.role, "agents.manage") ? `/t/${slug}/agents#kill-switches` : undefined} />
          {children}
        </div>
      </main>
    </div>
  );
}
