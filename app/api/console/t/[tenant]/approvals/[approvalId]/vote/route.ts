import { z } from "zod";
import { voteOnApproval } from "@/lib/approvals/vote-on-approval";
import { memberRoute } from "@/lib/http/route";

export const POST = memberRoute(
  { permission: "approvals.decide", body: z.object({ verdict: z.enum(["approve", "deny"]), comment: z.string().trim().max(2000).optional() }) },
  async ({ member, params, body, requestId }) => voteOnApproval({ actor: member, approvalId: params.approvalId!, verdict: body.verdict, comment: body.comment, requestId }),
);
