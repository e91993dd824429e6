import { requireMember } from "@/lib/auth/page-guard";
import { assignableRoles } from "@/lib/auth/roles";
import { MembersPanel } from "@/components/settings/members-panel";

export const metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug, "members.view");
  return <MembersPanel slug={slug} me={member.user.id} myRole={member.role} assignable={assignableRoles(member.role)} />;
}
