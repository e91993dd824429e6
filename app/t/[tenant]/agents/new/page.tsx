import { requireMember } from "@/lib/auth/page-guard";
import { AgentForm } from "@/components/agents/agent-form";
import { Card, PageHeader } from "@/components/ui/page";

export const metadata = { title: "Register an agent" };

export default async function NewAgentPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug, "agents.manage");
  return (
    <>
      <PageHeader
        title="Register an agent"
        description="The agent gets its own identity and a client id. Add a credential on its page next; it can do nothing until a policy allows it."
      />
      <div className="max-w-3xl">
        <Card>
          <AgentForm mode="create" slug={slug} me={member.user.id} />
        </Card>
      </div>
    </>
  );
}
