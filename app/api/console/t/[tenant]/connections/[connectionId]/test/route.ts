import { testConnectionInput } from "@/lib/connections/schemas";
import { testConnection } from "@/lib/connections/test-connection";
import { memberRoute } from "@/lib/http/route";

export const POST = memberRoute({ permission: "settings.manage", body: testConnectionInput }, async ({ member, params, body, requestId }) =>
  testConnection({ actor: member, connectionId: params.connectionId!, url: body.url, requestId }),
);
