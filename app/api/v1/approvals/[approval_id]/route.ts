import { z } from "zod";
import { getApprovalStatus } from "@/lib/approvals/get-approval-status";
import { AppError } from "@/lib/errors";
import { agentRoute } from "@/lib/http/route";

export const GET = agentRoute({ query: z.object({ wait: z.coerce.number().min(0).max(30).default(0) }) }, async ({ request, agent, params, query }) => {
  // A long poll whose client went away stops holding its place in the wait.
  const signal = query.wait > 0 ? request.signal : undefined;
  const answer = await getApprovalStatus({ tenantId: agent.tenantId, agentId: agent.agentId, approvalId: params.approval_id!, waitSeconds: query.wait, signal });
  if (!answer) throw new AppError("not_found", "Approval not found.");
  return answer;
});
