import { notFound } from "next/navigation";
import { getAgent } from "@/lib/agents/get-agent";
import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { publicOrigin } from "@/lib/http/client-address";
import { describeListing } from "@/lib/mcp/describe-listing";
import { analyzeMcpTools } from "@/lib/mcp/list-mcp-tools";
import { MCP_PATH } from "@/lib/mcp/resource";
import { buildSnippets, PLACEHOLDER_BASE_URL, pickExample } from "@/lib/onboarding/build-snippets";
import { capabilityReport } from "@/lib/policy/capability-report";
import { AgentDetailView } from "@/components/agents/agent-detail";
import { McpView } from "@/components/agents/mcp-view";

export async function generateMetadata({ params }: { params: Promise<{ agentId: string }> }) {
  const { agentId } = await params;
  return { title: `Agent ${agentId}` };
}

export default async function AgentPage({ params }: { params: Promise<{ tenant: string; agentId: string }> }) {
  const { tenant: slug, agentId } = await params;
  const member = await requireMember(slug);
  const [agent, report] = await Promise.all([getAgent({ tenantId: member.tenant.id, agentId }), capabilityReport({ tenantId: member.tenant.id })]);
  if (!agent) notFound();
  // The configured origin only (PUBLIC_URL, else NEXTAUTH_URL): a Host header is whatever the browser was sent.
  const baseUrl = publicOrigin();
  const base = baseUrl ?? PLACEHOLDER_BASE_URL;
  const listing = await analyzeMcpTools({ tenantId: member.tenant.id, agentId: agent.id, labels: agent.labels }, { explain: true });
  return (
    <AgentDetailView
      slug={slug}
      initial={agent}
      now={Date.now()}
      me={member.user.id}
      canManage={can(member.role, "agents.manage")}
      tokenEndpoint={`${base}/api/v1/oauth/token`}
      coverage={report.agents.find((a) => a.agentId === agent.id)?.coverage ?? "advisory"}
      mcp={
        <McpView
          endpoint={`${base}${MCP_PATH}`}
          status={agent.status}
          rows={describeListing(listing)}
          snippets={buildSnippets({ baseUrl, agent: { id: agent.id, name: agent.name }, example: pickExample(listing) })}
        />
      }
    />
  );
}
