import { memberRoute } from "@/lib/http/route";
import { getNotificationSettings, saveWebhook } from "@/lib/notifications/manage-webhook";
import { webhookInput } from "@/lib/notifications/schemas";

export const GET = memberRoute({ permission: "settings.manage" }, async ({ member }) => getNotificationSettings({ tenantId: member.tenant.id }));

export const PUT = memberRoute({ permission: "settings.manage", body: webhookInput }, async ({ member, body, requestId }) =>
  saveWebhook({ actor: member, webhook: body, requestId }),
);
