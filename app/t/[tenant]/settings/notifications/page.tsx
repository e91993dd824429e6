import { requireMember } from "@/lib/auth/page-guard";
import { getNotificationSettings } from "@/lib/notifications/manage-webhook";
import { WebhookSettings } from "@/components/notifications/webhook-settings";

export const metadata = { title: "Notifications" };

export default async function NotificationsPage({ params }: { params: Promise<{ tenant: string }> }) {
  const { tenant: slug } = await params;
  const member = await requireMember(slug, "settings.manage");
  const settings = await getNotificationSettings({ tenantId: member.tenant.id });
  return <WebhookSettings slug={slug} initial={settings} />;
}
