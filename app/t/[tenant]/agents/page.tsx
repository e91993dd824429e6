import { requireMember } from "@/lib/auth/page-guard";
import { listAgents } from "@/lib/agents/list-agents";
import { Badge, type Tone } from "@/components/ui/badge";
import { Icons } from "@/components/ui/icons";
import { EmptyState, PageHeader } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

export const metadata = { title: "Agents" };

const STATUS_TONE: Record<string, Tone> = { active: "green", suspended: "amber", decommissioned: "neutral" };

export default async function AgentsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const agents = await listAgents({ tenantId: member.tenant.id });
  return (
    <>
      <PageHeader
        title="Agents"
        description="Every agent is its own non-human principal with an owner, short-lived credentials and a lifecycle you can stop in one click."
      />
      {agents.length === 0 ? (
        <EmptyState icon={<Icons.agents className="h-8 w-8" />} title="No agents registered">
          Register each agent as its own identity, so every action it takes is attributable and can be stopped. Agents authenticate with
          OAuth client credentials and receive 15-minute tokens.
        </EmptyState>
      ) : (
        <Table label="Agents">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Status</Th>
              <Th>Owner</Th>
              <Th>Environment</Th>
              <Th>Credentials</Th>
              <Th>Last seen</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {agents.map((a) => (
              <tr key={a.id} className="hover:bg-slate-50">
                <Td>
                  <div className="font-medium text-slate-900">{a.name}</div>
                  <div className="max-w-md truncate text-xs text-slate-500">{a.description}</div>
                </Td>
                <Td>
                  <Badge tone={STATUS_TONE[a.status]}>{a.status}</Badge>
                </Td>
                <Td>{a.owner}</Td>
                <Td>{a.environment}</Td>
                <Td className="tabular-nums">{a.credentials}</Td>
                <Td>
                  <Time value={a.lastSeenAt} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
