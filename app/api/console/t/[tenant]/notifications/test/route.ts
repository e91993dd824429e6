import { memberRoute } from "@/lib/http/route";
import { sendTestNotification } from "@/lib/notifications/manage-webhook";

export const POST = memberRoute({ permission: "settings.manage" }, async ({ member, requestId }) => sendTestNotification({ actor: member, requestId }));
