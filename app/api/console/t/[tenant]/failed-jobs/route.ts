import { memberRoute } from "@/lib/http/route";
import { listDeadLetters } from "@/lib/queue/list-dead-letters";

export const GET = memberRoute({ permission: "settings.manage" }, async ({ member }) => ({ jobs: await listDeadLetters({ tenantId: member.tenant.id }) }));
