import { memberRoute } from "@/lib/http/route";
import { tenantSettingsInput } from "@/lib/tenancy/schemas";
import { updateTenantSettings } from "@/lib/tenancy/update-tenant-settings";

export const PATCH = memberRoute({ permission: "settings.manage", body: tenantSettingsInput }, async ({ member, body, requestId }) => {
  const tenant = await updateTenantSettings({ actor: member, name: body.name, requestId });
  return { name: tenant.name, slug: tenant.slug };
});
