import { describeUpstream } from "@/lib/gateway/coverage";
import { memberRoute } from "@/lib/http/route";
import { updateToolInput } from "@/lib/tools/schemas";
import { updateTool } from "@/lib/tools/update-tool";

export const PATCH = memberRoute({ permission: "policies.manage", body: updateToolInput }, async ({ member, params, body, requestId }) => {
  const tool = await updateTool({ actor: member, toolId: params.toolId!, changes: body, requestId });
  return { tool: { id: tool.id, name: tool.name, displayName: tool.displayName, description: tool.description, upstream: describeUpstream(tool) } };
});
