import { memberRoute } from "@/lib/http/route";
import { redriveDeadLetter } from "@/lib/queue/redrive-dead-letter";

export const POST = memberRoute({ permission: "settings.manage" }, async ({ member, params, requestId }) =>
  redriveDeadLetter({ actor: member, id: params.deadLetterId!, requestId }),
);
