/**
 * The offline verifier (scripts/verify-evidence.mjs) re-implements the hashing rules with
 * node: modules only. These properties prove it computes the same bytes as the server:
 * lib/audit/chain.ts for the audit log, lib/evidence/format.ts for the digest chain.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as verifier from "@/scripts/verify-evidence.mjs";
import { GENESIS_HASH, canonicalJson, entryHash, type ChainedEntry } from "@/lib/audit/chain";
import { canonicalJsonOfParsed } from "@/lib/ingest/canonical";
import { decisionLeaf, eventLeaf, inScope, leafText, payloadHash, type DecisionRow, type EventRow } from "./format";

const json = fc.jsonValue({ maxDepth: 4 });
const iso = fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString());
const text = fc.string({ unit: "grapheme", maxLength: 24 });

describe("the verifier agrees with the server", () => {
  it("canonical JSON: same bytes as lib/audit/chain.ts for any value, dates and bigints included", () => {
    const value = fc.oneof(json, fc.dictionary(text, fc.oneof(json, fc.date({ noInvalidDate: true }), fc.bigInt(), fc.constant(undefined))));
    fc.assert(fc.property(value, (v) => verifier.canonicalJson(v) === canonicalJson(v)), { numRuns: 500 });
    fc.assert(fc.property(json, (v) => verifier.canonicalJson(v) === canonicalJsonOfParsed(v)), { numRuns: 500 });
    fc.assert(fc.property(json, (v) => verifier.canonicalParsed(v) === canonicalJson(v)), { numRuns: 500 });
  });

  it("audit entries: the hash of an entry as exported (seq and dates as strings) is the server's entryHash", () => {
    const entry = fc.record({
      id: text, tenantId: text, seq: fc.bigInt({ min: 1n, max: 10n ** 12n }), actorType: fc.constantFrom("user", "agent", "system"),
      actorId: fc.option(text, { nil: null }), actorLabel: text, action: text, targetType: text, targetId: fc.option(text, { nil: null }),
      before: json, after: json, requestId: fc.option(text, { nil: null }), createdAt: fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
      prevHash: fc.constantFrom(GENESIS_HASH, "ab".repeat(32)),
    });
    fc.assert(
      fc.property(entry, (e: ChainedEntry) => {
        // What the export writes and the verifier reads back: JSON, seq as a decimal string, dates ISO.
        const exported = JSON.parse(JSON.stringify({ ...e, seq: e.seq.toString(), createdAt: e.createdAt.toISOString() }));
        const server = entryHash({ ...e, before: JSON.parse(JSON.stringify(e.before ?? null)), after: JSON.parse(JSON.stringify(e.after ?? null)) });
        return verifier.entryHash(exported) === server;
      }),
      { numRuns: 300 },
    );
  });

  it("digest leaves: events, decisions and payload hashes", () => {
    const event = fc.record({
      id: fc.bigInt({ min: 1n, max: 10n ** 15n }).map(String), agentId: text, runExternalId: text, eventKey: text, type: text, source: fc.constantFrom("agent", "server"),
      ts: iso, receivedAt: iso, payload: fc.dictionary(text, json), payloadHash: fc.constant("c".repeat(64)), redacted: fc.option(fc.array(text), { nil: null }),
      isError: fc.boolean(), inputTokens: fc.option(fc.nat(), { nil: null }), outputTokens: fc.option(fc.nat(), { nil: null }),
      costUsd: fc.option(fc.nat({ max: 10 ** 9 }).map((n) => (n / 1e6).toFixed(6)), { nil: null }),
    });
    fc.assert(
      fc.property(event, (e: EventRow) => {
        const back = JSON.parse(JSON.stringify(e));
        return leafText(eventLeaf(e)) === verifier.leafText(verifier.eventLeaf(back)) && payloadHash(e) === verifier.payloadHash(back);
      }),
      { numRuns: 300 },
    );
    const decision = fc.record({
      id: text, timelineEventId: fc.bigInt({ min: 1n, max: 10n ** 15n }).map(String), timelineReceivedAt: iso, agentId: text, runExternalId: text, tool: text,
      operation: text, resource: json, actionHash: text, args: json, outcome: fc.constantFrom("allow", "deny", "pending_approval"), reasons: json,
      matchedRules: fc.array(text), shadow: json, policyVersion: fc.option(fc.nat(), { nil: null }), approvalId: fc.option(text, { nil: null }), createdAt: iso,
    });
    fc.assert(
      fc.property(decision, (d) => {
        const row = d as DecisionRow & { timelineEventId: string; timelineReceivedAt: string };
        return leafText(decisionLeaf(row)) === verifier.leafText(verifier.decisionLeaf(JSON.parse(JSON.stringify(row))));
      }),
      { numRuns: 300 },
    );
  });

  it("scope: the same rows are in and out", () => {
    const scope = fc.record({ from: iso, to: iso, agentIds: fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 2 }), runIds: fc.array(fc.constantFrom("r1", "r2"), { maxLength: 1 }) });
    const item = fc.record({ at: iso, agent: fc.constantFrom("a", "b", "c"), run: fc.constantFrom("r1", "r2") });
    fc.assert(fc.property(scope, item, (s, i) => inScope(s, i) === verifier.inScope(s, i)), { numRuns: 500 });
  });

  it("key ids: the verifier derives the same id from a public key", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const { keyIdOf } = await import("./keys");
    const { publicKey } = generateKeyPairSync("ed25519");
    expect(verifier.keyIdOf(publicKey)).toBe(keyIdOf(publicKey));
  });
});
