import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { getAgent } from "@/lib/agents/get-agent";
import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { env } from "@/lib/env";
import { capabilityReport } from "@/lib/policy/capability-report";
import { AgentDetailView } from "@/components/agents/agent-detail";
import type { CredentialKind } from "@/components/agents/types";

export async function generateMetadata({ params }: { params: Promise<{ agentId: string }> }) {
  const { agentId } = await params;
  return { title: `Agent ${agentId}` };
}

/** The public origin agents call: NEXTAUTH_URL when set, else this request's host. */
async function publicOrigin(): Promise<string> {
  const configured = env().NEXTAUTH_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${proto}://${host}`;
}

export default async function AgentPage({ params }: { params: Promise<{ tenant: string; agentId: string }> }) {
  const { tenant: slug, agentId } = await params;
  const member = await requireMember(slug);
  const [agent, report] = await Promise.all([getAgent({ tenantId: member.tenant.id, agentId }), capabilityReport({ tenantId: member.tenant.id })]);
  if (!agent) notFound();
  return (
    <AgentDetailView
      slug={slug}
      initial={{
        ...agent,
        credentials: agent.credentials.map((c) => ({ ...c, kind: c.kind as CredentialKind })),
        history: agent.history.map((e) => ({ ...e, after: e.after ?? null })),
      }}
      now={Date.now()}
      me={member.user.id}
      canManage={can(member.role, "agents.manage")}
      tokenEndpoint={`${await publicOrigin()}/api/v1/oauth/token`}
      coverage={report.agents.find((a) => a.agentId === agent.id)?.coverage ?? "advisory"}
    />
  );
}
