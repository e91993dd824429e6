import Link from "next/link";
import { requireMember } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/roles";
import { listTools } from "@/lib/tools/list-tools";
import { ToolsRegistry } from "@/components/tools/tools-registry";
import { PageHeader } from "@/components/ui/page";

export const metadata = { title: "Tool registry" };

export default async function ToolsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const tools = await listTools({ tenantId: member.tenant.id });
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-xs text-slate-500">
        <Link href={`/t/${slug}/policies`} className="hover:text-slate-800 hover:underline">
          Policies
        </Link>{" "}
        / <span aria-current="page">Tool registry</span>
      </nav>
      <PageHeader
        title="Tool registry"
        description="The tools agents may call and their operations: what arguments each accepts (JSON Schema, checked on every decision), its risk class and whether it can be undone. Allowlists name these operations."
      />
      <ToolsRegistry slug={slug} initial={tools} canManage={can(member.role, "policies.manage")} now={Date.now()} />
    </>
  );
}
