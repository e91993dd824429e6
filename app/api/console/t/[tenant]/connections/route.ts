import { createConnection } from "@/lib/connections/create-connection";
import { listConnections } from "@/lib/connections/list-connections";
import { createConnectionInput } from "@/lib/connections/schemas";
import { memberRoute, reply } from "@/lib/http/route";

export const GET = memberRoute({ permission: "settings.manage" }, async ({ member }) => ({ connections: await listConnections({ tenantId: member.tenant.id }) }));

export const POST = memberRoute({ permission: "settings.manage", body: createConnectionInput }, async ({ member, body, requestId }) =>
  reply({ connection: await createConnection({ actor: member, request: body, requestId }) }, { status: 201 }),
);
