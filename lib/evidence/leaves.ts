import { decisionLeaf, eventLeaf, payloadHash, type DecisionRow, type Leaf } from "./format";
import type { RawEvent } from "./pg";

const parse = (text: string | null) => (text === null ? null : (JSON.parse(text) as unknown));

/** The decision recorded with a server "decision" event, JSON parsed (for hashing). */
export function decisionOf(e: RawEvent): (DecisionRow & { timelineEventId: string; timelineReceivedAt: string }) | null {
  if (e.dId === null) return null;
  return {
    id: e.dId,
    timelineEventId: e.id,
    timelineReceivedAt: e.receivedAt,
    agentId: e.dAgentId!,
    runExternalId: e.dRunExternalId!,
    tool: e.dTool!,
    operation: e.dOperation!,
    resource: parse(e.dResource),
    actionHash: e.dActionHash!,
    args: parse(e.dArgs),
    outcome: e.dOutcome!,
    reasons: parse(e.dReasons),
    matchedRules: parse(e.dMatchedRules),
    shadow: parse(e.dShadow),
    policyVersion: e.dPolicyVersion,
    approvalId: e.dApprovalId,
    createdAt: e.dCreatedAt!,
  };
}

/** The chain leaves of one stored event: its own, then its decision's (if any), and its payload hash. */
export function leavesOf(e: RawEvent): { event: Leaf; payload: string; decision: Leaf | null } {
  const decision = decisionOf(e);
  return {
    event: eventLeaf(e),
    payload: payloadHash({ payload: parse(e.payload), redacted: parse(e.redacted) }),
    decision: decision ? decisionLeaf(decision) : null,
  };
}
