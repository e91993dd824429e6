import { memberRoute, reply } from "@/lib/http/route";
import { createTool } from "@/lib/tools/create-tool";
import { listTools } from "@/lib/tools/list-tools";
import { createToolInput } from "@/lib/tools/schemas";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => ({ tools: await listTools({ tenantId: member.tenant.id }) }));

export const POST = memberRoute({ permission: "policies.manage", body: createToolInput }, async ({ member, body, requestId }) => {
  const tool = await createTool({ actor: member, tool: body, requestId });
  return reply({ tool: { id: tool.id, name: tool.name, displayName: tool.displayName, description: tool.description } }, { status: 201 });
});
