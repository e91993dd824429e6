import { memberRoute } from "@/lib/http/route";
import { liftKillSwitch } from "@/lib/kill-switches/engage-kill-switch";

export const POST = memberRoute({ permission: "agents.manage" }, async ({ member, params, requestId }) => {
  const lifted = await liftKillSwitch({ actor: member, killSwitchId: params.killSwitchId!, requestId });
  return { id: lifted.id, liftedAt: lifted.liftedAt };
});
