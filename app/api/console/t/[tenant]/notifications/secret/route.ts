import { memberRoute } from "@/lib/http/route";
import { regenerateWebhookSecret } from "@/lib/notifications/manage-webhook";

export const POST = memberRoute({ permission: "settings.manage" }, async ({ member, requestId }) => regenerateWebhookSecret({ actor: member, requestId }));
