import { memberRoute, reply } from "@/lib/http/route";
import { engageInput, engageKillSwitch, listActiveKillSwitches } from "@/lib/kill-switches/engage-kill-switch";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => ({ killSwitches: await listActiveKillSwitches({ tenantId: member.tenant.id }) }));

export const POST = memberRoute({ permission: "agents.manage", body: engageInput }, async ({ member, body, requestId }) =>
  reply(await engageKillSwitch({ actor: member, request: body, requestId }), { status: 201 }),
);
