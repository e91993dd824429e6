import Link from "next/link";
import { requireMember } from "@/lib/auth/page-guard";
import { listToolsAndVersions } from "@/lib/policy/list-tools";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Icons } from "@/components/ui/icons";
import { Card, EmptyState, PageHeader } from "@/components/ui/page";
import { Time } from "@/components/ui/time";

export const metadata = { title: "Policies" };

export default async function PoliciesPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug);
  const { tools, versions } = await listToolsAndVersions({ tenantId: member.tenant.id });
  return (
    <>
      <PageHeader title="Policies" description="Default deny: an agent may call only what an allowlist names. Rules compile to Cedar and every decision records the version it was made under." actions={<Link href={`/t/${slug}/policies/tools`} className={buttonClass("secondary")}>Tool registry</Link>} />
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="lg:col-span-2">
          {tools.length === 0 ? (
            <EmptyState icon={<Icons.policies className="h-8 w-8" />} title="No tools registered">
              Register the tools your agents call (GitHub, Stripe, Slack, Jira…) with their operations, so allowlists can name them.
            </EmptyState>
          ) : (
            <Card title="Tool registry">
              <ul className="divide-y divide-slate-100">
                {tools.map((tool) => (
                  <li key={tool.id} className="py-2.5">
                    <div className="font-medium text-slate-900">
                      {tool.displayName} <span className="font-mono text-xs text-slate-500">{tool.name}</span>
                    </div>
                    <div className="mt-1 flex flex-wrap gap-1.5">
                      {tool.operations.map((op) => (
                        <Badge key={op.id} tone={op.riskClass === "read" ? "neutral" : op.riskClass === "money" || op.riskClass === "delete" ? "red" : "amber"}>
                          <span className="font-mono">{op.name}</span> · {op.riskClass}
                        </Badge>
                      ))}
                    </div>
                  </li>
                ))}
              </ul>
            </Card>
          )}
        </div>
        <Card title="Published versions">
          {versions.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing published yet, so every agent action is denied.</p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {versions.map((v) => (
                <li key={v.id} className="py-1.5">
                  <div className="font-medium">Version {v.version}</div>
                  <div className="text-xs text-slate-500">
                    <Time value={v.publishedAt} /> — {v.summary}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
