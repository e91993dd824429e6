/**
 * The evidence bundle's hashing rules, in one place. scripts/verify-evidence.mjs repeats
 * them with node: imports only (auditors run it without Gatehouse's code);
 * lib/evidence/verifier-agreement.test.ts proves the two compute the same bytes.
 * docs/EVIDENCE.md describes the format for people.
 *
 * Digest chain (per tenant): digest n covers the tenant's run events with
 * fromEventId < id <= toEventId in id order, and after each server "decision" event the
 * decisions row recorded in the same transaction. Every covered item is a *leaf*:
 *   event    {k:"e", id, agent, run, at: receivedAt, c: sha256(canonical(EVENT_CONTENT fields))}
 *   decision {k:"d", id, ev: event id, agent, run, at: event receivedAt, c: sha256(canonical(DECISION_CONTENT fields))}
 *   eventsHead   = fold(h = sha256(h + "\n" + canonical(leaf)), from 64 zeros)
 *   payloadsHead = fold(q = sha256(q + "\n" + p)) over event leaves, p = sha256(canonical({payload, redacted}))
 * Payloads have their own head because retention empties old payloads (docs/RUNS.md):
 * the metadata chain still verifies after that, and the verifier says which payloads
 * were purged instead of failing.
 */
import { createHash } from "node:crypto";
import { GENESIS_HASH } from "@/lib/audit/chain";
import { canonicalJsonOfParsed as canonical } from "@/lib/ingest/canonical";

export const BUNDLE_FORMAT = "gatehouse-evidence";
export const BUNDLE_VERSION = 1;
export { GENESIS_HASH };

export const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

/** Event fields the metadata chain covers (not the payload: see payloadsHead). */
export const EVENT_CONTENT = ["eventKey", "type", "source", "ts", "payloadHash", "isError", "inputTokens", "outputTokens", "costUsd"] as const;
/** Decision fields the chain covers: the whole row. */
export const DECISION_CONTENT = [
  "id", "agentId", "runExternalId", "tool", "operation", "resource", "actionHash", "args", "outcome", "reasons",
  "matchedRules", "shadow", "policyVersion", "approvalId", "createdAt",
] as const;

/** An exported run event (a line of events.jsonl or a row of events.csv). */
export type EventRow = {
  id: string; // bigint as decimal string
  agentId: string;
  runExternalId: string;
  eventKey: string;
  type: string;
  source: string;
  ts: string; // ISO, ms, Z
  receivedAt: string;
  payload: unknown;
  payloadHash: string;
  redacted: unknown;
  isError: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: string | null; // decimal(14,6) as text
};

export type DecisionRow = {
  id: string;
  timelineEventId: string | null; // the server event recorded with it (null: not chained)
  timelineReceivedAt: string | null;
  agentId: string;
  runExternalId: string;
  tool: string;
  operation: string;
  resource: unknown;
  actionHash: string;
  args: unknown;
  outcome: string;
  reasons: unknown;
  matchedRules: unknown;
  shadow: unknown;
  policyVersion: number | null;
  approvalId: string | null;
  createdAt: string;
};

export type Leaf =
  | { k: "e"; id: string; agent: string; run: string; at: string; c: string }
  | { k: "d"; id: string; ev: string; agent: string; run: string; at: string; c: string };

const pick = (row: Record<string, unknown>, fields: readonly string[]) =>
  Object.fromEntries(fields.map((f) => [f, row[f] ?? null]));

export function eventLeaf(row: Pick<EventRow, (typeof EVENT_CONTENT)[number] | "id" | "agentId" | "runExternalId" | "receivedAt">): Leaf {
  return { k: "e", id: row.id, agent: row.agentId, run: row.runExternalId, at: row.receivedAt, c: sha256Hex(canonical(pick(row, EVENT_CONTENT))) };
}

export function payloadHash(row: { payload: unknown; redacted: unknown }): string {
  return sha256Hex(canonical({ payload: row.payload ?? null, redacted: row.redacted ?? null }));
}

export function decisionLeaf(row: DecisionRow & { timelineEventId: string; timelineReceivedAt: string }): Leaf {
  return {
    k: "d", id: row.id, ev: row.timelineEventId, agent: row.agentId, run: row.runExternalId, at: row.timelineReceivedAt,
    c: sha256Hex(canonical(pick(row, DECISION_CONTENT))),
  };
}

/** One step of a chain: sha256(head + "\n" + item). */
export const chainStep = (head: string, item: string) => createHash("sha256").update(head).update("\n").update(item).digest("hex");
export const leafText = (leaf: Leaf) => canonical(leaf);

/** Running heads of one digest. */
export class DigestAccumulator {
  eventsHead = GENESIS_HASH;
  payloadsHead = GENESIS_HASH;
  eventCount = 0;
  decisionCount = 0;
  firstAt: string | null = null;
  lastAt: string | null = null;

  add(leaf: Leaf, payload?: string) {
    this.eventsHead = chainStep(this.eventsHead, leafText(leaf));
    if (leaf.k === "e") {
      this.eventCount++;
      this.payloadsHead = chainStep(this.payloadsHead, payload!);
      if (this.firstAt === null || leaf.at < this.firstAt) this.firstAt = leaf.at;
      if (this.lastAt === null || leaf.at > this.lastAt) this.lastAt = leaf.at;
    } else this.decisionCount++;
  }
}

/** What a digest's hash and signature cover. */
export type DigestBody = {
  v: 1;
  tenantId: string;
  seq: string;
  periodStart: string;
  periodEnd: string;
  fromEventId: string;
  toEventId: string;
  firstAt: string | null;
  lastAt: string | null;
  eventCount: number;
  decisionCount: number;
  eventsHead: string;
  payloadsHead: string;
  prevHash: string;
  keyId: string;
};
export type SignedDigest = DigestBody & { hash: string; signature: string };

export const digestText = (body: DigestBody) => canonical(body);

/** The scope an export was asked for; rows outside it appear in the bundle only as leaves. */
export type ExportScope = { from: string; to: string; agentIds: string[]; runIds: string[] };

export function inScope(scope: ExportScope, item: { at: string; agent: string; run: string }): boolean {
  return (
    item.at >= scope.from &&
    item.at < scope.to &&
    (scope.agentIds.length === 0 || scope.agentIds.includes(item.agent)) &&
    (scope.runIds.length === 0 || scope.runIds.includes(item.run))
  );
}

/** Column order and types of each data file (CSV needs them to read values back exactly). */
export type ColumnType = "string" | "number" | "boolean" | "json";
export const COLUMNS = {
  events: [
    ["id", "string"], ["agentId", "string"], ["runExternalId", "string"], ["eventKey", "string"], ["type", "string"],
    ["source", "string"], ["ts", "string"], ["receivedAt", "string"], ["payload", "json"], ["payloadHash", "string"],
    ["redacted", "json"], ["isError", "boolean"], ["inputTokens", "number"], ["outputTokens", "number"], ["costUsd", "string"],
  ],
  decisions: [
    ["id", "string"], ["timelineEventId", "string"], ["timelineReceivedAt", "string"], ["agentId", "string"],
    ["runExternalId", "string"], ["tool", "string"], ["operation", "string"], ["resource", "json"], ["actionHash", "string"],
    ["args", "json"], ["outcome", "string"], ["reasons", "json"], ["matchedRules", "json"], ["shadow", "json"],
    ["policyVersion", "number"], ["approvalId", "string"], ["createdAt", "string"],
  ],
  approvals: [
    ["id", "string"], ["agentId", "string"], ["runExternalId", "string"], ["decisionId", "string"], ["actionHash", "string"],
    ["action", "json"], ["reason", "string"], ["ruleId", "string"], ["requiredApprovals", "number"], ["requiredGroups", "json"],
    ["status", "string"], ["expiresAt", "string"], ["decidedAt", "string"], ["redeemedAt", "string"], ["createdAt", "string"],
  ],
  approval_votes: [
    ["id", "string"], ["approvalId", "string"], ["userId", "string"], ["userEmail", "string"], ["verdict", "string"],
    ["comment", "string"], ["createdAt", "string"],
  ],
  audit_entries: [
    ["id", "string"], ["tenantId", "string"], ["seq", "string"], ["actorType", "string"], ["actorId", "string"],
    ["actorLabel", "string"], ["action", "string"], ["targetType", "string"], ["targetId", "string"], ["before", "json"],
    ["after", "json"], ["requestId", "string"], ["createdAt", "string"], ["prevHash", "string"], ["hash", "string"],
  ],
  policy_versions: [
    ["id", "string"], ["version", "number"], ["rules", "json"], ["cedar", "string"], ["summary", "string"],
    ["publishedById", "string"], ["publishedAt", "string"],
  ],
} as const satisfies Record<string, readonly (readonly [string, ColumnType])[]>;
export type DataFile = keyof typeof COLUMNS;

/** One line of chain_leaves.jsonl: a covered item outside the export's scope. */
export type LeafLine = Leaf & { digest: string; p?: string };

export type Manifest = {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  exportId: string;
  createdAt: string;
  tenant: { id: string; slug: string; name: string };
  requestedBy: { id: string; email: string };
  scope: ExportScope & { format: "jsonl" | "csv" };
  files: { path: string; sha256: string; bytes: number; rows: number; columns?: readonly (readonly [string, ColumnType])[] }[];
  counts: Record<string, number>;
  auditChain: { start: { seq: string; hash: string }; end: { seq: string; hash: string } };
  digestChain: { firstSeq: string | null; lastSeq: string | null; sealedThroughEventId: string | null; unsealedEvents: number };
  keys: Record<string, unknown>[]; // public JWKs of every key that signed something in the bundle
  signing: { alg: "Ed25519"; keyId: string };
};
export type SignedManifest = Manifest & { signature: { alg: "Ed25519"; keyId: string; value: string } };

export const manifestText = (manifest: Manifest) => canonical(manifest);
