import { gatewaySettingsInput, getGatewaySettings, updateGatewaySettings } from "@/lib/gateway/update-gateway-settings";
import { memberRoute } from "@/lib/http/route";

/** The tenant's gateway setting: { enforceGatewayForEnforcedTools }. */
export const GET = memberRoute({ permission: "settings.manage" }, async ({ member }) => getGatewaySettings({ tenantId: member.tenant.id }));

export const PATCH = memberRoute({ permission: "settings.manage", body: gatewaySettingsInput }, async ({ member, body, requestId }) =>
  updateGatewaySettings({ actor: member, settings: body, requestId }),
);
