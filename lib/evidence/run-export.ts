/**
 * The export job (worker, `evidence` queue): streams a tenant's records for a scope from
 * Postgres page by page (one short transaction per page) into data files on disk, hashing
 * as it writes, then signs a manifest and packs everything into one tar.gz. The events
 * (the bulk) come as COPY data, the next pages fetched concurrently while one is written,
 * and in-scope JSONL rows are copied from Postgres' bytes without becoming JavaScript
 * strings. Memory stays flat whatever the size; the worker polls the cancel flag while it
 * works. Bundle layout and verification: docs/EVIDENCE.md; figures: docs/PERFORMANCE.md.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, constants as zlib } from "node:zlib";
import { appendAuditEntry } from "@/lib/audit/append-audit-entry";
import { GENESIS_HASH } from "@/lib/audit/chain";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { logger } from "@/lib/logger";
import { DataFile, HashedFile, type Cell } from "./data-file";
import {
  BUNDLE_FORMAT, BUNDLE_VERSION, COLUMNS, inScope, manifestText, type DataFile as DataFileName, type ExportScope, type Manifest,
  type SignedDigest, type SignedManifest,
} from "./format";
import { activeEvidenceKey, publicJwkById, signText } from "./keys";
import { leavesOf } from "./leaves";
import {
  DECISION_LINE_FIELDS, EVENT_LINE_FIELDS, eventRows, exportEventRange, exportTailPage, fetchInOrder, idRanges, iso, withTenantQuery, type CopyRow,
  type RawEvent,
} from "./pg";
import { evidenceDir } from "./paths";
import { exportScope } from "./schemas";
import { writeTar } from "./tar";

const PAGE = 4_000; // events per page (about 3 MB of COPY data)
const AHEAD = 2; // pages fetched at once, on their own connections, ahead of the one being written: AHEAD + 1 in memory at most
const CHECK_EVERY_MS = 1_000;

class ExportCancelled extends Error {}

/** a > b for decimal ids without leading zeros (BigInt per row costs more than the rest of the loop). */
const idAfter = (a: string, b: string) => a.length > b.length || (a.length === b.length && a > b);

type Progress = { done: number; total: number };

/** Writes progress and reads the cancel flag at most once a second. */
function progressReporter(tenantId: string, exportId: string, progress: Progress) {
  let last = Date.now();
  return async (force = false) => {
    if (!force && Date.now() - last < CHECK_EVERY_MS) return;
    last = Date.now();
    const value = progress.total > 0 ? Math.min(0.99, progress.done / progress.total) : 0;
    const row = await withTenant({ tenantId }, (tx) =>
      tx.export.update({ where: { id: exportId }, data: { progress: value, rowCount: progress.done }, select: { cancelRequested: true } }),
    );
    if (row.cancelRequested) throw new ExportCancelled();
  };
}

const eventCells = (e: RawEvent): Cell[] => [
  e.id, e.agentId, e.runExternalId, e.eventKey, e.type, e.source, e.ts, e.receivedAt, e.payload, e.payloadHash, e.redacted,
  e.isError, e.inputTokens, e.outputTokens, e.costUsd,
];

const decisionCells = (e: RawEvent, chained: boolean): Cell[] => [
  e.dId, chained ? e.id : null, chained ? e.receivedAt : null, e.dAgentId, e.dRunExternalId, e.dTool, e.dOperation, e.dResource,
  e.dActionHash, e.dArgs, e.dOutcome, e.dReasons, e.dMatchedRules, e.dShadow, e.dPolicyVersion, e.dApprovalId, e.dCreatedAt,
];

type DigestRow = SignedDigest;

async function digestsFor(tenantId: string, scope: ExportScope): Promise<{ digests: DigestRow[]; sealedThrough: string | null }> {
  return withTenantQuery(tenantId, async (q) => {
    const bounds = await q<{ lo: string | null; hi: string | null }>(
      `SELECT min(seq)::text AS lo, max(seq)::text AS hi FROM evidence_digests
        WHERE "tenantId" = $1 AND (("periodStart" < $3::timestamp AND "periodEnd" >= $2::timestamp)
                                OR ("firstAt" < $3::timestamp AND "lastAt" >= $2::timestamp))`,
      [tenantId, scope.from, scope.to],
    );
    const latest = await q<{ toEventId: string }>(
      `SELECT "toEventId"::text AS "toEventId" FROM evidence_digests WHERE "tenantId" = $1 ORDER BY evidence_digests.seq DESC LIMIT 1`,
      [tenantId],
    );
    const { lo, hi } = bounds[0]!;
    const digests = lo
      ? await q<DigestRow>(
          `SELECT 1 AS v, "tenantId", seq::text, ${iso('"periodStart"')} AS "periodStart", ${iso('"periodEnd"')} AS "periodEnd",
                  "fromEventId"::text AS "fromEventId", "toEventId"::text AS "toEventId", ${iso('"firstAt"')} AS "firstAt",
                  ${iso('"lastAt"')} AS "lastAt", "eventCount", "decisionCount", "eventsHead", "payloadsHead", "prevHash", "keyId",
                  hash, signature
             FROM evidence_digests WHERE "tenantId" = $1 AND seq >= $2::bigint AND seq <= $3::bigint ORDER BY evidence_digests.seq`,
          [tenantId, lo, hi],
        )
      : [];
    return { digests, sealedThrough: latest[0]?.toEventId ?? null };
  });
}

/** Runs one export to completion (or cancellation). Safe to call again for the same id. */
export async function runExport({ tenantId, exportId }: { tenantId: string; exportId: string }): Promise<"succeeded" | "cancelled" | "failed" | "skipped"> {
  const job = await withTenant({ tenantId }, (tx) => tx.export.findFirst({ where: { id: exportId, tenantId } }));
  if (!job || (job.status !== "queued" && job.status !== "running")) return "skipped";
  if (job.cancelRequested) {
    await withTenant({ tenantId }, (tx) => tx.export.update({ where: { id: exportId }, data: { status: "cancelled", finishedAt: new Date() } }));
    return "cancelled";
  }
  await withTenant({ tenantId }, (tx) =>
    tx.export.update({ where: { id: exportId }, data: { status: "running", startedAt: new Date(), progress: 0, rowCount: 0, error: null } }),
  );

  const dir = evidenceDir();
  const work = path.join(dir, `${exportId}.partial`);
  const finalPath = path.join(dir, `${exportId}.tar.gz`);
  const open: HashedFile[] = [];
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { mode: 0o700 });
    const result = await buildBundle({ tenantId, exportId, job, work, open });
    const archiveTmp = path.join(work, "bundle.tar.gz");
    const { sha256, bytes } = await packBundle(work, result.files, archiveTmp, exportId);
    await rename(archiveTmp, finalPath);
    await rm(work, { recursive: true, force: true });
    await withTenant({ tenantId }, async (tx) => {
      await tx.export.update({
        where: { id: exportId },
        data: {
          status: "succeeded", progress: 1, rowCount: result.rows, counts: result.counts, sha256, bytes: BigInt(bytes),
          filePath: finalPath, keyId: result.keyId, finishedAt: new Date(),
        },
      });
      await appendAuditEntry(tx, {
        tenantId,
        actor: { type: "system", label: "evidence export" },
        action: "evidence.export_completed",
        target: { type: "export", id: exportId },
        after: { sha256, bytes, rows: result.rows, counts: result.counts, keyId: result.keyId, manifestSha256: result.manifestSha256 },
      });
    });
    return "succeeded";
  } catch (error) {
    for (const file of open) file.destroy();
    await rm(work, { recursive: true, force: true }).catch(() => {});
    const cancelled = error instanceof ExportCancelled;
    if (!cancelled) logger.error("evidence export failed", { tenantId, exportId, error });
    await withTenant({ tenantId }, async (tx) => {
      await tx.export.update({
        where: { id: exportId },
        data: cancelled
          ? { status: "cancelled", finishedAt: new Date() }
          : { status: "failed", finishedAt: new Date(), error: `The export failed: ${(error as Error).message}`.slice(0, 500) },
      });
      await appendAuditEntry(tx, {
        tenantId,
        actor: { type: "system", label: "evidence export" },
        action: cancelled ? "evidence.export_cancelled" : "evidence.export_failed",
        target: { type: "export", id: exportId },
        after: cancelled ? null : { error: (error as Error).message.slice(0, 500) },
      });
    });
    return cancelled ? "cancelled" : "failed";
  }
}

type Job = { id: string; requestedById: string; scope: Prisma.JsonValue; format: string; createdAt: Date };

async function buildBundle({ tenantId, exportId, job, work, open }: { tenantId: string; exportId: string; job: Job; work: string; open: HashedFile[] }) {
  const scope = exportScope.parse(job.scope);
  const format = job.format === "csv" ? "csv" : "jsonl";
  const [tenant, requester] = await Promise.all([
    withTenant({ tenantId }, (tx) => tx.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { id: true, slug: true, name: true } })),
    db().user.findUnique({ where: { id: job.requestedById }, select: { id: true, email: true } }),
  ]);
  const key = await activeEvidenceKey();
  const { digests, sealedThrough } = await digestsFor(tenantId, scope);
  const first = digests[0];
  const last = digests[digests.length - 1];
  const tailFrom = sealedThrough ?? "0";

  const progress: Progress = { done: 0, total: 0 };
  const tailCount = await withTenantQuery(tenantId, (q) =>
    q<{ n: string }>(
      `SELECT count(*)::text AS n FROM run_events WHERE "tenantId" = $1 AND id > $2::bigint AND "receivedAt" >= $3::timestamp AND "receivedAt" < $4::timestamp`,
      [tenantId, tailFrom, scope.from, scope.to],
    ),
  );
  progress.total = digests.reduce((n, d) => n + d.eventCount, 0) + Number(tailCount[0]!.n) + 1;
  const report = progressReporter(tenantId, exportId, progress);

  const file = <F extends DataFileName>(name: F) => {
    const f = new DataFile(path.join(work, `${name}.${format}`), format, COLUMNS[name]);
    open.push(f);
    return f;
  };
  const events = file("events");
  const decisions = file("decisions");
  const leaves = new HashedFile(path.join(work, "chain_leaves.jsonl"));
  open.push(leaves);

  // 1. Events covered by the digests in the bundle (all of them: out-of-scope ones as leaves).
  //    Pages of COPY data, AHEAD fetched at once; in-scope JSONL rows are copied from their bytes.
  const write = (file: DataFile, row: CopyRow, fields: readonly number[], cells: (e: RawEvent) => Cell[]) =>
    format === "jsonl" ? file.rowFromBytes(row, fields) : file.row(cells(row.raw()));
  if (first && last) {
    let d = 0;
    const ranges = idRanges(tenantId, first.fromEventId, last.toEventId, PAGE);
    const spare: Buffer[] = [];
    for await (const page of fetchInOrder(ranges, (range) => exportEventRange(tenantId, range, spare), AHEAD)) {
      for (const row of eventRows(page.data)) {
        const id = row.id;
        while (idAfter(id, digests[d]!.toEventId)) d++;
        const seq = digests[d]!.seq;
        const at = row.receivedAt;
        const eventIn = inScope(scope, { at, agent: row.agentId, run: row.runExternalId });
        const decisionIn = row.hasDecision && inScope(scope, { at, agent: row.dAgentId, run: row.dRunExternalId });
        let computed: ReturnType<typeof leavesOf> | undefined;
        if (eventIn) await write(events, row, EVENT_LINE_FIELDS, eventCells);
        else {
          computed = leavesOf(row.raw());
          await leaves.add(`${JSON.stringify({ digest: seq, ...computed.event, p: computed.payload })}\n`);
        }
        if (row.hasDecision) {
          if (decisionIn) await write(decisions, row, DECISION_LINE_FIELDS, (e) => decisionCells(e, true));
          else {
            computed ??= leavesOf(row.raw());
            await leaves.add(`${JSON.stringify({ digest: seq, ...computed.decision! })}\n`);
          }
        }
        progress.done++;
      }
      page.release();
      await report();
    }
  }
  // 2. The unsealed tail: in-scope events received after the last digest (keyset pages, the next one prefetched).
  let tail = exportTailPage(tenantId, tailFrom, PAGE, scope.from, scope.to);
  for (;;) {
    const { page, last: lastId, rows } = await tail;
    const more = rows === PAGE && lastId !== null;
    if (more) {
      tail = exportTailPage(tenantId, lastId, PAGE, scope.from, scope.to);
      tail.catch(() => {}); // if this page fails or is cancelled, an abandoned prefetch must not crash the process
    }
    for (const row of eventRows(page.data)) {
      const at = row.receivedAt;
      if (inScope(scope, { at, agent: row.agentId, run: row.runExternalId })) {
        await write(events, row, EVENT_LINE_FIELDS, eventCells);
        if (row.hasDecision && inScope(scope, { at, agent: row.dAgentId, run: row.dRunExternalId })) {
          await write(decisions, row, DECISION_LINE_FIELDS, (e) => decisionCells(e, true));
        }
      }
      progress.done++;
    }
    await report();
    if (!more) break;
  }
  const unsealedEvents = Number(tailCount[0]!.n);

  // 3. Decisions without a server timeline event (not chained: covered by the manifest only).
  await pages(
    tenantId,
    `SELECT d.id, NULL AS "timelineEventId", NULL AS "timelineReceivedAt", d."agentId", d."runExternalId", d.tool, d.operation,
            d.resource::text AS resource, d."actionHash", d.args::text AS args, d.outcome::text AS outcome, d.reasons::text AS reasons,
            to_jsonb(d."matchedRules")::text AS "matchedRules", d.shadow::text AS shadow, d."policyVersion", d."approvalId",
            ${iso('d."createdAt"')} AS "createdAt"
       FROM decisions d
      WHERE d."tenantId" = $1 AND d."createdAt" >= $2::timestamp AND d."createdAt" < $3::timestamp
        AND (cardinality($4::text[]) = 0 OR d."agentId" = ANY($4)) AND (cardinality($5::text[]) = 0 OR d."runExternalId" = ANY($5))
        AND NOT EXISTS (SELECT 1 FROM run_event_keys k WHERE k."agentId" = d."agentId" AND k.source = 'server' AND k."eventKey" = d.id)
        AND d.id > $6 ORDER BY d.id LIMIT ${PAGE}`,
    [tenantId, scope.from, scope.to, scope.agentIds, scope.runIds],
    async (rows) => {
      for (const r of rows) await decisions.row(COLUMNS.decisions.map(([c]) => r[c] as Cell));
    },
  );

  // 4. Approvals asked in the period, and every vote on them (who saw and decided what).
  const approvals = file("approvals");
  const votes = file("approval_votes");
  await pages(
    tenantId,
    `SELECT id, "agentId", "runExternalId", "decisionId", "actionHash", action::text AS action, reason, "ruleId", "requiredApprovals",
            to_jsonb("requiredGroups")::text AS "requiredGroups", status::text AS status, ${iso('"expiresAt"')} AS "expiresAt",
            ${iso('"decidedAt"')} AS "decidedAt", ${iso('"redeemedAt"')} AS "redeemedAt", ${iso('"createdAt"')} AS "createdAt"
       FROM approvals
      WHERE "tenantId" = $1 AND "createdAt" >= $2::timestamp AND "createdAt" < $3::timestamp
        AND (cardinality($4::text[]) = 0 OR "agentId" = ANY($4)) AND (cardinality($5::text[]) = 0 OR "runExternalId" = ANY($5))
        AND id > $6 ORDER BY id LIMIT ${PAGE}`,
    [tenantId, scope.from, scope.to, scope.agentIds, scope.runIds],
    async (rows) => {
      for (const r of rows) await approvals.row(COLUMNS.approvals.map(([c]) => r[c] as Cell));
      const voteRows = await withTenantQuery(tenantId, (q) =>
        q<Record<string, Cell>>(
          `SELECT v.id, v."approvalId", v."userId", u.email AS "userEmail", v.verdict, v.comment, ${iso('v."createdAt"')} AS "createdAt"
             FROM approval_votes v LEFT JOIN users u ON u.id = v."userId"
            WHERE v."tenantId" = $1 AND v."approvalId" = ANY($2) ORDER BY v."approvalId", v."createdAt", v.id`,
          [tenantId, rows.map((r) => r.id)],
        ),
      );
      for (const v of voteRows) await votes.row(COLUMNS.approval_votes.map(([c]) => v[c] ?? null));
    },
  );

  // 5. The audit log over the period, with the chain heads at both ends.
  const heads = await withTenantQuery(tenantId, (q) =>
    q<{ edge: string; seq: string | null; hash: string | null }>(
      `SELECT 'start' AS edge, (SELECT seq::text FROM audit_entries WHERE "tenantId" = $1 AND "createdAt" < $2::timestamp ORDER BY audit_entries.seq DESC LIMIT 1) AS seq,
              (SELECT hash FROM audit_entries WHERE "tenantId" = $1 AND "createdAt" < $2::timestamp ORDER BY audit_entries.seq DESC LIMIT 1) AS hash
       UNION ALL
       SELECT 'end', (SELECT seq::text FROM audit_entries WHERE "tenantId" = $1 AND "createdAt" < $3::timestamp ORDER BY audit_entries.seq DESC LIMIT 1),
              (SELECT hash FROM audit_entries WHERE "tenantId" = $1 AND "createdAt" < $3::timestamp ORDER BY audit_entries.seq DESC LIMIT 1)`,
      [tenantId, scope.from, scope.to],
    ),
  );
  const edge = (name: string) => {
    const h = heads.find((x) => x.edge === name)!;
    return { seq: h.seq ?? "0", hash: h.hash ?? GENESIS_HASH };
  };
  const auditStart = edge("start");
  const auditEnd = BigInt(edge("end").seq) < BigInt(auditStart.seq) ? auditStart : edge("end");
  const audit = file("audit_entries");
  let auditAfter = auditStart.seq;
  for (;;) {
    const rows = await withTenantQuery(tenantId, (q) =>
      q<Record<string, Cell>>(
        `SELECT id, "tenantId", seq::text AS seq, "actorType", "actorId", "actorLabel", action, "targetType", "targetId",
                before::text AS before, after::text AS after, "requestId", ${iso('"createdAt"')} AS "createdAt", "prevHash", hash
           FROM audit_entries WHERE "tenantId" = $1 AND seq > $2::bigint AND seq <= $3::bigint ORDER BY audit_entries.seq LIMIT ${PAGE}`,
        [tenantId, auditAfter, auditEnd.seq],
      ),
    );
    for (const r of rows) await audit.row(COLUMNS.audit_entries.map(([c]) => r[c] ?? null));
    if (rows.length < PAGE) break;
    auditAfter = rows[rows.length - 1]!.seq as string;
    await report();
  }

  // 6. Policy versions in force during the period: the one in force at its start and every later one.
  const policies = file("policy_versions");
  const versions = await withTenantQuery(tenantId, (q) =>
    q<Record<string, Cell>>(
      `SELECT id, version, rules::text AS rules, cedar, summary, "publishedById", ${iso('"publishedAt"')} AS "publishedAt"
         FROM policy_versions
        WHERE "tenantId" = $1 AND "publishedAt" < $3::timestamp
          AND version >= COALESCE((SELECT max(version) FROM policy_versions WHERE "tenantId" = $1 AND "publishedAt" <= $2::timestamp), 0)
        ORDER BY version`,
      [tenantId, scope.from, scope.to],
    ),
  );
  for (const v of versions) await policies.row(COLUMNS.policy_versions.map(([c]) => v[c] ?? null));

  // 7. The signed digests the chain check needs.
  const digestFile = new HashedFile(path.join(work, "digests.jsonl"));
  open.push(digestFile);
  for (const d of digests) await digestFile.add(`${JSON.stringify(d)}\n`);
  await report(true);

  const written: { name: string; file: HashedFile; columns?: Manifest["files"][number]["columns"] }[] = [
    { name: `events.${format}`, file: events, columns: COLUMNS.events },
    { name: `decisions.${format}`, file: decisions, columns: COLUMNS.decisions },
    { name: `approvals.${format}`, file: approvals, columns: COLUMNS.approvals },
    { name: `approval_votes.${format}`, file: votes, columns: COLUMNS.approval_votes },
    { name: `audit_entries.${format}`, file: audit, columns: COLUMNS.audit_entries },
    { name: `policy_versions.${format}`, file: policies, columns: COLUMNS.policy_versions },
    { name: "digests.jsonl", file: digestFile },
    { name: "chain_leaves.jsonl", file: leaves },
  ];
  const files: Manifest["files"] = [];
  const counts: Record<string, number> = {};
  for (const w of written) {
    const closed = await w.file.close();
    files.push({ path: w.name, sha256: closed.sha256, bytes: closed.bytes, rows: closed.rows, ...(format === "csv" && w.columns ? { columns: w.columns } : {}) });
    counts[w.name.replace(/\.(jsonl|csv)$/, "")] = closed.rows;
  }
  open.length = 0;

  const keyIds = [...new Set([key.kid, ...digests.map((d) => d.keyId)])];
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportId,
    createdAt: new Date().toISOString(),
    tenant,
    requestedBy: { id: job.requestedById, email: requester?.email ?? "(deleted user)" },
    scope: { ...scope, format },
    files,
    counts,
    auditChain: { start: auditStart, end: auditEnd },
    digestChain: { firstSeq: first?.seq ?? null, lastSeq: last?.seq ?? null, sealedThroughEventId: last?.toEventId ?? null, unsealedEvents },
    keys: await publicJwkById(keyIds),
    signing: { alg: "Ed25519", keyId: key.kid },
  };
  const signed: SignedManifest = { ...manifest, signature: { alg: "Ed25519", keyId: key.kid, value: signText(key.privateKey, manifestText(manifest)) } };
  const manifestFile = new HashedFile(path.join(work, "manifest.json"));
  await manifestFile.add(`${JSON.stringify(signed, null, 2)}\n`);
  const closedManifest = await manifestFile.close();
  const rows = counts.events! + counts.decisions! + counts.approvals! + counts.approval_votes! + counts.audit_entries! + counts.policy_versions!;
  return {
    files: ["manifest.json", ...written.map((w) => w.name)],
    rows,
    counts,
    keyId: key.kid,
    manifestSha256: closedManifest.sha256,
  };
}

/** Keyset pages over a query whose last parameter is "id greater than" (ordered by id). */
async function pages(tenantId: string, sql: string, params: unknown[], each: (rows: Record<string, Cell>[]) => Promise<void>) {
  let after = "";
  for (;;) {
    const rows = await withTenantQuery(tenantId, (q) => q<Record<string, Cell>>(sql, [...params, after]));
    if (rows.length) await each(rows);
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id as string;
  }
}

/** tar.gz of the work directory's files under `evidence-<id>/`, hashed as it is written. */
async function packBundle(work: string, names: string[], target: string, exportId: string): Promise<{ sha256: string; bytes: number }> {
  const files = await Promise.all(names.map(async (name) => ({ name: `evidence-${exportId}/${name}`, path: path.join(work, name), size: (await stat(path.join(work, name))).size })));
  const hash = createHash("sha256");
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const gzip = createGzip({ level: 3, memLevel: 9, chunkSize: 1 << 16, strategy: zlib.Z_DEFAULT_STRATEGY });
  await Promise.all([
    pipeline(gzip, counter, createWriteStream(target, { mode: 0o600 })),
    (async () => {
      await writeTar(gzip, files, new Date());
      gzip.end();
    })(),
  ]);
  return { sha256: hash.digest("hex"), bytes };
}
