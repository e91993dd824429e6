/**
 * A second process for the long-poll test: waits on one approval through
 * getApprovalStatus (as GET /api/v1/approvals/{id}?wait= does) and prints the answer with
 * the time it returned. Run: node --import tsx lib/testing/approval-waiter.ts <tenant> <agent> <approval> <wait s>.
 */
import { approvalEvents } from "@/lib/approvals/approval-events";
import { getApprovalStatus } from "@/lib/approvals/get-approval-status";
import { db } from "@/lib/db/client";

const [tenantId, agentId, approvalId, wait] = process.argv.slice(2);
await approvalEvents.waitFor("warm-up", 1); // subscribe before announcing readiness
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
const answer = await getApprovalStatus({ tenantId: tenantId!, agentId: agentId!, approvalId: approvalId!, waitSeconds: Number(wait) });
process.stdout.write(`${JSON.stringify({ status: answer?.status, at: Date.now() })}\n`);
await approvalEvents.close();
await db().$disconnect();
process.exit(0);
