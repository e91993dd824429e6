import { newId } from "@/lib/ids";
import type { DecisionRecord } from "@/lib/decisions/schemas";

/** A decision record as decideAction queues it: an allowed call, unique id, fields overridable. */
export function decisionRecord(fields: Pick<DecisionRecord, "tenantId"> & Partial<DecisionRecord>): DecisionRecord {
  return {
    id: newId("dec"),
    agentId: "agt_test",
    agentName: "test agent",
    runExternalId: "run_test",
    tool: "stripe",
    operation: "charges.retrieve",
    resource: null,
    args: {},
    actionHash: "0".repeat(64),
    outcome: "allow",
    reasons: [],
    matchedRules: [],
    shadow: null,
    policyVersion: 1,
    approvalId: null,
    quota: [],
    requestId: null,
    createdAt: new Date().toISOString(),
    ...fields,
  };
}
