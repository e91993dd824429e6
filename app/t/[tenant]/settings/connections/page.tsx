import { requireMember } from "@/lib/auth/page-guard";
import { listConnections } from "@/lib/connections/list-connections";
import { getGatewaySettings } from "@/lib/gateway/update-gateway-settings";
import { ConnectionsPanel } from "@/components/connections/connections-panel";

export const metadata = { title: "Connections" };

export default async function ConnectionsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug, "settings.manage");
  const [connections, settings] = await Promise.all([listConnections({ tenantId: member.tenant.id }), getGatewaySettings({ tenantId: member.tenant.id })]);
  return <ConnectionsPanel slug={slug} initial={connections} initialEnforce={settings.enforceGatewayForEnforcedTools} now={Date.now()} />;
}
