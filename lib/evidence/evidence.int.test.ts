/**
 * Evidence end to end against real Postgres: events, decisions and approvals are stored,
 * digests sealed, a bundle exported by the worker's code, and the offline verifier
 * (scripts/verify-evidence.mjs, exactly what auditors run) accepts it untouched and
 * rejects every kind of tampering: any single byte, a removed row, reordered rows, a
 * swapped file, a forged signature, and rows deleted or altered in the database itself.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBundle } from "@/scripts/verify-evidence.mjs";
import type { MemberContext } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { closeQueues } from "@/lib/queue/registry";
import { createTestAgent, createTestTenant } from "@/lib/testing/factories";
import { attackerKey, editLines, manifestOf, readBundle, resign, writeBundle } from "@/lib/testing/bundle";
import { seedApproval, seedDecision, seedEvents } from "@/lib/testing/evidence";
import { cancelExport } from "./cancel-export";
import { activeEvidenceKey, publicEvidenceKeys } from "./keys";
import { listExports } from "./list-exports";
import { requestExport } from "./request-export";
import { runExport } from "./run-export";
import { sealTenantDigest, takeEventMark } from "./seal-digests";
import { closeEvidencePool } from "./pg";

const work = mkdtempSync(path.join(tmpdir(), "gh-evidence-test-"));
// Bundles of this run go to a temporary EVIDENCE_DIR (read lazily, when the first export runs).
process.env.EVIDENCE_DIR = path.join(work, "exports");
let publicKey: { text: string; source: string };
const owner = () => new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });

type World = Awaited<ReturnType<typeof world>>;

async function world() {
  const { tenant, owner: ownerCtx, members } = await createTestTenant(["auditor"]);
  const auditor = members.auditor!;
  const a1 = await createTestAgent(tenant.id, ownerCtx.user.id);
  const a2 = await createTestAgent(tenant.id, ownerCtx.user.id);
  const from = new Date(Date.now() - 60_000);
  // Digest 1: events of two agents and decisions. Digest 2: more. Then an unsealed tail.
  await seedEvents({ tenantId: tenant.id, agentId: a1.id, run: "run_one", count: 40 });
  await seedEvents({ tenantId: tenant.id, agentId: a2.id, run: "run_two", count: 25 });
  const dec1 = await seedDecision({ tenantId: tenant.id, agentId: a1.id, run: "run_one" });
  await seedDecision({ tenantId: tenant.id, agentId: a2.id, run: "run_two", outcome: "deny" });
  await seal(tenant.id);
  await seedEvents({ tenantId: tenant.id, agentId: a1.id, run: "run_one", count: 30 });
  await seedDecision({ tenantId: tenant.id, agentId: a1.id, run: "run_one", outcome: "pending_approval" });
  await seedApproval({ tenantId: tenant.id, agentId: a1.id, run: "run_one", userId: auditor.user.id });
  await seal(tenant.id);
  await seedEvents({ tenantId: tenant.id, agentId: a2.id, run: "run_two", count: 5 }); // unsealed tail
  await seedDecision({ tenantId: tenant.id, agentId: a2.id, run: "run_two" });
  return { tenant, auditor, a1, a2, from, dec1 };
}

async function seal(tenantId: string) {
  const digest = await sealTenantDigest({ tenantId, mark: await takeEventMark() });
  expect(digest).not.toBeNull();
  return digest!;
}

async function exportBundle(w: World, opts: { format?: "jsonl" | "csv"; agentIds?: string[]; runIds?: string[]; from?: Date } = {}) {
  const row = await requestExport({
    member: w.auditor as MemberContext,
    input: { from: (opts.from ?? w.from).toISOString(), to: new Date(Date.now() + 1000).toISOString(), agentIds: opts.agentIds ?? [], runIds: opts.runIds ?? [], format: opts.format ?? "jsonl" },
  });
  expect(await runExport({ tenantId: w.tenant.id, exportId: row.id })).toBe("succeeded");
  const done = await withTenant({ tenantId: w.tenant.id }, (tx) => tx.export.findUniqueOrThrow({ where: { id: row.id } }));
  return { row: done, file: done.filePath! };
}

async function verify(file: string, key: { text: string; source: string } | "embedded" = publicKey) {
  return verifyBundle(file, { publicKey: key === "embedded" ? undefined : key });
}

let n = 0;
const variant = (name: string) => path.join(work, `${++n}-${name}.tar.gz`);

let w: World;
let base: { row: { id: string; sha256: string | null; rowCount: number; counts: unknown }; file: string };

beforeAll(async () => {
  const keys = await publicEvidenceKeys();
  publicKey = { text: keys[0]!.pem, source: "key.pem" };
  w = await world();
  base = await exportBundle(w);
}, 120_000);

afterAll(async () => {
  await closeQueues();
  await closeEvidencePool();
  await db().$disconnect();
});

describe("an untouched bundle", () => {
  it("verifies: signature, files, counts, digests, chain and audit log", async () => {
    const result = await verify(base.file);
    expect(result.problem).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.summary.chain).toMatchObject({ digests: 2, sealedEvents: 95 + 3, sealedDecisions: 3, unsealedEvents: 6, unchainedDecisions: 0 });
    expect(result.warnings.join("\n")).toMatch(/arrived after the last digest/);
    const m = manifestOf(readBundle(base.file));
    expect(m.counts).toMatchObject({ events: 104, decisions: 4, approvals: 1, approval_votes: 1, digests: 2, chain_leaves: 0 });
    expect(m.scope).toMatchObject({ agentIds: [], runIds: [], format: "jsonl" });
    expect(m.auditChain.end.seq).not.toBe(m.auditChain.start.seq);
  });

  it("verifies from the command line (exit 0), and the CLI says why it fails (exit 1)", async () => {
    const keyFile = path.join(work, "key.pem");
    writeFileSync(keyFile, publicKey.text);
    const ok = spawnSync(process.execPath, ["scripts/verify-evidence.mjs", base.file, "--public-key", keyFile], { encoding: "utf8" });
    expect(ok.stdout).toMatch(/VERDICT: VALID/);
    expect(ok.status).toBe(0);
    const bad = variant("cli");
    const bytes = readFileSync(base.file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(bad, bytes);
    const ko = spawnSync(process.execPath, ["scripts/verify-evidence.mjs", bad, "--public-key", keyFile], { encoding: "utf8" });
    expect(ko.stdout).toMatch(/VERDICT: INVALID — first inconsistency: /);
    expect(ko.status).toBe(1);
  });

  it("is listed with who asked for it, its hash and counts, and the export is audited", async () => {
    const [listed] = await listExports({ tenantId: w.tenant.id });
    expect(listed).toMatchObject({ status: "succeeded", progress: 1, requestedBy: { email: w.auditor.user.email }, sha256: base.row.sha256 });
    const actions = await withTenant({ tenantId: w.tenant.id }, (tx) => tx.auditEntry.findMany({ where: { targetId: base.row.id }, select: { action: true } }));
    expect(actions.map((a) => a.action).sort()).toEqual(["evidence.export_completed", "evidence.export_requested"]);
  });

  it("verifies in CSV, and scoped to one agent (the others appear only as chain leaves)", async () => {
    const csv = await exportBundle(w, { format: "csv" });
    expect((await verify(csv.file)).problem).toBeUndefined();
    const scoped = await exportBundle(w, { agentIds: [w.a1.id] });
    const result = await verify(scoped.file);
    expect(result.problem).toBeUndefined();
    const m = manifestOf(readBundle(scoped.file));
    expect(m.counts.chain_leaves).toBe(25 + 2); // agent 2: its events, the timeline event of its decision, the decision
    expect(m.counts.events).toBe(40 + 30 + 2);
    const byRun = await exportBundle(w, { runIds: ["run_two"], format: "csv" });
    expect((await verify(byRun.file)).problem).toBeUndefined();
  });
});

describe("tampering after export", () => {
  it("rejects the bundle with any single byte changed", async () => {
    const bytes = readFileSync(base.file);
    const content = gunzipSync(bytes);
    const positions = [0, 1, 3, 4, 8, 9, 10, 11, 64, 200, ...Array.from({ length: 24 }, (_, i) => Math.floor(((i + 1) * bytes.length) / 26)), bytes.length - 8, bytes.length - 5, bytes.length - 1];
    for (const at of positions) {
      const copy = Buffer.from(bytes);
      copy[at]! ^= 0x20;
      const file = variant(`byte-${at}`);
      writeFileSync(file, copy);
      // With the SHA-256 recorded for the export, every changed byte fails.
      expect((await verifyBundle(file, { publicKey, sha256: base.row.sha256! })).ok, `byte ${at} of ${bytes.length}, with --sha256`).toBe(false);
      // Without it, every change to the evidence fails; only a flip in bits deflate ignores
      // (the archive still decompresses to the very same bytes) may pass.
      const unchanged = (() => {
        try {
          return gunzipSync(copy).equals(content);
        } catch {
          return false;
        }
      })();
      if (!unchanged) expect((await verify(file)).ok, `byte ${at} of ${bytes.length}`).toBe(false);
    }
  });

  it("rejects a changed byte inside a data file, repacked (its hash no longer matches)", async () => {
    const b = readBundle(base.file);
    const events = b.files.get("events.jsonl")!;
    const at = events.indexOf("re_1");
    events[at + 3] = "9".charCodeAt(0);
    const file = variant("data-byte");
    writeBundle(file, b);
    expect((await verify(file)).problem).toMatch(/events\.jsonl: its SHA-256 does not match/);
  });

  it("rejects a removed row, also when the manifest is re-signed by someone else", async () => {
    const b = readBundle(base.file);
    editLines(b, "events.jsonl", (lines) => lines.filter((_, i) => i !== 10));
    const plain = variant("row-removed");
    writeBundle(plain, b);
    expect((await verify(plain)).problem).toMatch(/events\.jsonl: its SHA-256 does not match/);
    resign(b, attackerKey());
    const forged = variant("row-removed-forged");
    writeBundle(forged, b);
    expect((await verify(forged)).problem).toMatch(/manifest\.json is signed by key evk_\w+, which is not among the trusted keys/);
  });

  it("rejects a removed row even with a valid manifest signature: the digest no longer matches", async () => {
    // As if Gatehouse itself (holding the key) had left a row out.
    const key = await activeEvidenceKey();
    for (const [name, drop] of [["events.jsonl", 10], ["decisions.jsonl", 0], ["audit_entries.jsonl", 1]] as const) {
      const b = readBundle(base.file);
      editLines(b, name, (lines) => lines.filter((_, i) => i !== drop));
      resign(b, key, (m) => {
        m.counts[name.replace(".jsonl", "")]! -= 1;
      });
      const file = variant(`signed-removal-${name}`);
      writeBundle(file, b);
      const { problem } = await verify(file);
      expect(problem, name).toMatch(name === "audit_entries.jsonl" ? /expected entry #\d+ \(an entry is missing/ : /digest #1 .*holds \d+ events and \d+ decisions it covers/);
    }
  });

  it("rejects reordered rows", async () => {
    const key = await activeEvidenceKey();
    for (const name of ["events.jsonl", "audit_entries.jsonl", "chain_leaves.jsonl"] as const) {
      const source = name === "chain_leaves.jsonl" ? (await exportBundle(w, { agentIds: [w.a1.id] })).file : base.file;
      const b = readBundle(source);
      editLines(b, name, (lines) => [lines[1]!, lines[0]!, ...lines.slice(2)]);
      const plain = variant(`reordered-${name}`);
      writeBundle(plain, b);
      expect((await verify(plain)).problem, name).toMatch(/SHA-256 does not match/);
      resign(b, key);
      const signed = variant(`reordered-signed-${name}`);
      writeBundle(signed, b);
      expect((await verify(signed)).problem, name).toMatch(/out of order|expected entry #\d+/);
    }
  });

  it("rejects a swapped file: another export's, or two files trading names", async () => {
    const other = await exportBundle(w, { runIds: ["run_one"] });
    const b = readBundle(base.file);
    b.files.set("events.jsonl", readBundle(other.file).files.get("events.jsonl")!);
    const swapped = variant("swapped");
    writeBundle(swapped, b);
    expect((await verify(swapped)).problem).toMatch(/events\.jsonl: its SHA-256 does not match/);

    const c = readBundle(base.file);
    const approvals = c.files.get("approvals.jsonl")!;
    c.files.set("approvals.jsonl", c.files.get("approval_votes.jsonl")!);
    c.files.set("approval_votes.jsonl", approvals);
    const traded = variant("traded");
    writeBundle(traded, c);
    expect((await verify(traded)).problem).toMatch(/approvals\.jsonl: its SHA-256 does not match/);

    // Even re-signed, another export's events do not reproduce this bundle's digests.
    resign(b, await activeEvidenceKey());
    const resigned = variant("swapped-signed");
    writeBundle(resigned, b);
    expect((await verify(resigned)).ok).toBe(false);
  });

  it("rejects a forged signature", async () => {
    const b = readBundle(base.file);
    const m = manifestOf(b);
    const sig = Buffer.from(m.signature.value, "base64");
    sig[5]! ^= 0xff;
    m.signature.value = sig.toString("base64");
    b.files.set("manifest.json", Buffer.from(JSON.stringify(m, null, 2)));
    const flipped = variant("sig-flipped");
    writeBundle(flipped, b);
    expect((await verify(flipped)).problem).toMatch(/manifest\.json: the Ed25519 signature does not verify/);

    // An attacker who re-signs with their own key and embeds it: checked against the published key, refused;
    // even trusting the bundle's own key, the digests (signed by the instance) are not by the attacker's.
    const c = readBundle(base.file);
    editLines(c, "events.jsonl", (lines) => lines.slice(1));
    const evil = attackerKey();
    resign(c, evil, (mm) => {
      mm.keys = [evil.publicJwk];
      mm.counts.events! -= 1;
    });
    const forged = variant("sig-forged");
    writeBundle(forged, c);
    expect((await verify(forged)).problem).toMatch(/not among the trusted keys/);
    const selfTrust = await verify(forged, "embedded");
    expect(selfTrust.ok).toBe(false);
    expect(selfTrust.problem).toMatch(/digest #1 .* signed by key evk_\w+, which is not among the trusted keys/);
  });

  it("without --public-key, verifies against the embedded key and says so", async () => {
    const result = await verify(base.file, "embedded");
    expect(result.ok).toBe(true);
    expect(result.warnings.join("\n")).toMatch(/no --public-key given/);
  });
});

describe("tampering in the database before export", () => {
  it("a deleted event, an altered decision or an altered payload is caught by the signed digests", async () => {
    const cases = [
      { name: "event deleted", sql: `DELETE FROM run_events WHERE id = (SELECT id FROM run_events WHERE "tenantId" = $1 AND type = 'side_effect' ORDER BY id LIMIT 1 OFFSET 3)`, problem: /digest #1 .*holds \d+ events/ },
      { name: "decision altered", sql: `UPDATE decisions SET args = '{"charge_id":"ch_1","amount_cents":1}' WHERE "tenantId" = $1 AND id = $2`, problem: /digest #1 .*do not reproduce the signed head/ },
      { name: "payload altered", sql: `UPDATE run_events SET payload = jsonb_set(payload, '{object_id}', '"re_forged"') WHERE id = (SELECT id FROM run_events WHERE "tenantId" = $1 AND type = 'side_effect' ORDER BY id LIMIT 1)`, problem: /do not reproduce the signed payload head/ },
      { name: "event re-timed", sql: `UPDATE run_events SET ts = ts - interval '1 hour' WHERE id = (SELECT id FROM run_events WHERE "tenantId" = $1 ORDER BY id DESC LIMIT 1 OFFSET 20)`, problem: /digest #2 .*do not reproduce the signed head/ },
    ];
    for (const c of cases) {
      const fresh = await world();
      const client = owner();
      await client.connect();
      // audit_entries and digests refuse this even to the owner; run events and decisions are what the digests protect.
      await client.query(c.sql, c.sql.includes("$2") ? [fresh.tenant.id, fresh.dec1] : [fresh.tenant.id]);
      await client.end();
      const { file } = await exportBundle(fresh);
      const result = await verify(file);
      expect(result.ok, c.name).toBe(false);
      expect(result.problem, c.name).toMatch(c.problem);
    }
  }, 120_000);

  it("digests themselves cannot be changed or removed, even by the owner role", async () => {
    const client = owner();
    await client.connect();
    await expect(client.query(`UPDATE evidence_digests SET "eventCount" = 0 WHERE "tenantId" = $1`, [w.tenant.id])).rejects.toThrow(/append-only/);
    await expect(client.query(`DELETE FROM evidence_digests WHERE "tenantId" = $1`, [w.tenant.id])).rejects.toThrow(/append-only/);
    await client.end();
  });
});

describe("retention", () => {
  it("a payload emptied by retention keeps the metadata chain valid and is reported", async () => {
    const fresh = await world();
    const client = owner();
    await client.connect();
    await client.query(`UPDATE run_events SET payload = '{}', redacted = '["*"]' WHERE "tenantId" = $1 AND type = 'tool.call' AND id = (SELECT min(id) FROM run_events WHERE "tenantId" = $1 AND type = 'tool.call')`, [fresh.tenant.id]);
    await client.end();
    const { file } = await exportBundle(fresh);
    const result = await verify(file);
    expect(result.problem).toBeUndefined();
    expect(result.warnings.join("\n")).toMatch(/1 payload\(s\) were emptied by retention/);
  }, 60_000);
});

describe("cancel", () => {
  it("cancels a queued export at once and a running one at its next progress check", async () => {
    const queued = await requestExport({ member: w.auditor, input: { from: w.from.toISOString(), to: new Date().toISOString(), agentIds: [], runIds: [], format: "jsonl" } });
    expect(await cancelExport({ member: w.auditor, exportId: queued.id })).toMatchObject({ status: "cancelled" });
    expect(await runExport({ tenantId: w.tenant.id, exportId: queued.id })).toBe("skipped");

    const running = await requestExport({ member: w.auditor, input: { from: w.from.toISOString(), to: new Date().toISOString(), agentIds: [], runIds: [], format: "jsonl" } });
    await withTenant({ tenantId: w.tenant.id }, (tx) => tx.export.update({ where: { id: running.id }, data: { status: "running" } }));
    expect(await cancelExport({ member: w.auditor, exportId: running.id })).toMatchObject({ status: "running", cancelRequested: true });
    expect(await runExport({ tenantId: w.tenant.id, exportId: running.id })).toBe("cancelled");
    const row = await withTenant({ tenantId: w.tenant.id }, (tx) => tx.export.findUniqueOrThrow({ where: { id: running.id } }));
    expect(row).toMatchObject({ status: "cancelled", filePath: null });
  });
});

describe("digest sealing", () => {
  it("seals an empty digest when nothing arrived, linked to the previous one", async () => {
    const fresh = await createTestTenant();
    const d1 = await seal(fresh.tenant.id);
    const d2 = await seal(fresh.tenant.id);
    expect(d1).toMatchObject({ seq: "1", fromEventId: "0", eventCount: 0 });
    expect(d2).toMatchObject({ seq: "2", prevHash: d1.hash, fromEventId: d1.toEventId, eventCount: 0 });
    // Past nine, seq must still order numerically (a text sort would put #10 before #9).
    let last = d2;
    for (let i = 3; i <= 11; i++) last = await seal(fresh.tenant.id);
    expect(last).toMatchObject({ seq: "11" });
  });

  it("the database refuses a digest that does not continue the chain", async () => {
    const fresh = await createTestTenant();
    await seal(fresh.tenant.id);
    const client = owner();
    await client.connect();
    await expect(
      client.query(
        `INSERT INTO evidence_digests (id, "tenantId", seq, "periodStart", "periodEnd", "fromEventId", "toEventId", "eventCount", "decisionCount", "eventsHead", "payloadsHead", "prevHash", hash, "keyId", signature)
         VALUES ('dig_fork', $1, 2, now(), now(), 0, 0, 0, 0, 'x', 'x', $2, 'x', 'k', 's')`,
        [fresh.tenant.id, "0".repeat(64)],
      ),
    ).rejects.toThrow(/chain link broken/);
    await client.end();
  });
});

it("writes bundles into the evidence directory only", () => {
  copyFileSync(base.file, path.join(work, "copy.tar.gz"));
  expect(path.dirname(base.file)).toBe(path.join(work, "exports"));
});
