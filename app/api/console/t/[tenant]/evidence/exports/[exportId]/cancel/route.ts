import { cancelExport } from "@/lib/evidence/cancel-export";
import { memberRoute } from "@/lib/http/route";

export const POST = memberRoute({ permission: "exports.create" }, async ({ member, params, requestId }) =>
  cancelExport({ member, exportId: params.exportId!, requestId }),
);
