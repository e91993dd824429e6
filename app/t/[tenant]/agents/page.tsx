import Link from "next/link";
import { listAgents } from "@/lib/agents/list-agents";
import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { listActiveKillSwitches } from "@/lib/kill-switches/engage-kill-switch";
import { listToolsAndVersions } from "@/lib/policy/list-tools";
import { AgentsTable } from "@/components/agents/agents-table";
import { KillSwitchesPanel } from "@/components/kill-switches/kill-switches-panel";
import { buttonClass } from "@/components/ui/button";
import { Icons } from "@/components/ui/icons";
import { EmptyState, PageHeader } from "@/components/ui/page";

export const metadata = { title: "Agents" };

export default async function AgentsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const canManage = can(member.role, "agents.manage");
  const tenantId = member.tenant.id;
  const [agents, killSwitches, tools] = await Promise.all([
    listAgents({ tenantId }),
    canManage ? listActiveKillSwitches({ tenantId }) : [],
    canManage ? listToolsAndVersions({ tenantId }).then((r) => r.tools.map((t) => ({ name: t.name, displayName: t.displayName }))) : [],
  ]);
  const register = canManage ? (
    <Link href={`/t/${slug}/agents/new`} className={buttonClass()}>
      Register agent
    </Link>
  ) : null;

  return (
    <>
      <PageHeader
        title="Agents"
        description="Every agent is its own non-human principal with an owner, short-lived credentials and a lifecycle you can stop in one click."
        actions={
          canManage ? (
            <>
              <a href="#kill-switches" className={buttonClass("secondary")}>
                Kill switches
              </a>
              {register}
            </>
          ) : null
        }
      />
      <div className="space-y-6">
        {agents.length === 0 ? (
          <EmptyState icon={<Icons.agents className="h-8 w-8" />} title="No agents registered" action={register}>
            Register each agent as its own identity, so every action it takes is attributable and can be stopped. Agents authenticate with OAuth
            client credentials, a signed key assertion or their workload identity, and receive tokens that live minutes.
            {canManage ? null : " Ask an owner or admin to register one."}
          </EmptyState>
        ) : (
          <AgentsTable slug={slug} agents={agents} now={Date.now()} />
        )}
        {canManage ? <KillSwitchesPanel slug={slug} tenantName={member.tenant.name} tools={tools} initial={killSwitches} /> : null}
      </div>
    </>
  );
}
