import { memberRoute } from "@/lib/http/route";
import { registryForEditor } from "@/lib/policy/registry-for-editor";

export const GET = memberRoute({ permission: "console.view" }, async ({ member }) => registryForEditor({ tenantId: member.tenant.id }));
