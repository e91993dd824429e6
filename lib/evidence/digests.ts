import { digestText, GENESIS_HASH, sha256Hex, type SignedDigest } from "./format";
import { publicJwkById, verifyText } from "./keys";
import { iso, withTenantQuery } from "./pg";
import { computeDigestRange } from "./seal-digests";

const DIGEST_COLUMNS = `1 AS v, "tenantId", seq::text AS seq, ${iso('"periodStart"')} AS "periodStart", ${iso('"periodEnd"')} AS "periodEnd",
  "fromEventId"::text AS "fromEventId", "toEventId"::text AS "toEventId", ${iso('"firstAt"')} AS "firstAt", ${iso('"lastAt"')} AS "lastAt",
  "eventCount", "decisionCount", "eventsHead", "payloadsHead", "prevHash", "keyId", hash, signature`;

export type DigestView = SignedDigest & { createdAt: string };

/** The tenant's latest digests, newest first (Audit page). */
export async function listDigests({ tenantId, take = 24 }: { tenantId: string; take?: number }): Promise<DigestView[]> {
  return withTenantQuery(tenantId, (q) =>
    q<DigestView>(
      `SELECT ${DIGEST_COLUMNS}, ${iso('"createdAt"')} AS "createdAt" FROM evidence_digests
        WHERE "tenantId" = $1 ORDER BY evidence_digests.seq DESC LIMIT $2`,
      [tenantId, take],
    ),
  );
}

export type DigestCheck =
  | { ok: true; digests: number; recomputed: number; headSeq: string | null; at: string }
  | { ok: false; digests: number; recomputed: number; brokenAtSeq: string; problem: string; at: string };

/**
 * Checks the tenant's whole digest chain (hashes, signatures, links, contiguous event
 * ranges) and recomputes the heads of the latest `recompute` digests from the events and
 * decisions stored now: a deleted, altered or reordered row there shows up here.
 */
export async function verifyDigestChain({ tenantId, recompute = 24 }: { tenantId: string; recompute?: number }): Promise<DigestCheck> {
  const at = new Date().toISOString();
  const keys = new Map<string, Record<string, unknown>>();
  let prev: SignedDigest | null = null;
  let count = 0;
  let after = "0";
  const all: SignedDigest[] = [];
  for (;;) {
    const page = await withTenantQuery(tenantId, (q) =>
      q<SignedDigest>(
        `SELECT ${DIGEST_COLUMNS} FROM evidence_digests WHERE "tenantId" = $1 AND seq > $2::bigint ORDER BY evidence_digests.seq LIMIT 1000`,
        [tenantId, after],
      ),
    );
    for (const d of page) {
      const { hash, signature, ...body } = d;
      const broken = (problem: string): DigestCheck => ({ ok: false, digests: count, recomputed: 0, brokenAtSeq: d.seq, problem, at });
      if (BigInt(d.seq) !== BigInt(prev?.seq ?? "0") + 1n) return broken(`expected digest #${BigInt(prev?.seq ?? "0") + 1n}, found #${d.seq} (a digest is missing)`);
      if (d.prevHash !== (prev?.hash ?? GENESIS_HASH)) return broken("its previous-hash link does not match the digest before it");
      if (d.fromEventId !== (prev?.toEventId ?? "0")) return broken("its event range does not continue the previous digest's");
      const text = digestText(body);
      if (sha256Hex(text) !== hash) return broken("its content does not match its hash (altered)");
      if (!keys.has(d.keyId)) {
        const [jwk] = await publicJwkById([d.keyId]);
        if (jwk) keys.set(d.keyId, jwk);
      }
      const jwk = keys.get(d.keyId);
      if (!jwk || !verifyText(jwk, text, signature)) return broken("its Ed25519 signature does not verify");
      prev = d;
      count++;
      all.push(d);
      if (all.length > recompute) all.shift();
    }
    if (page.length < 1000) break;
    after = page[page.length - 1]!.seq;
  }
  let recomputed = 0;
  for (const d of all) {
    const acc = await computeDigestRange(tenantId, d.fromEventId, d.toEventId);
    const mismatch =
      acc.eventCount !== d.eventCount || acc.decisionCount !== d.decisionCount
        ? `the stored rows count ${acc.eventCount} events and ${acc.decisionCount} decisions, the digest ${d.eventCount} and ${d.decisionCount} (rows were deleted or added)`
        : acc.eventsHead !== d.eventsHead
          ? "the stored events and decisions no longer reproduce its head (a row was altered, deleted or reordered)"
          : acc.payloadsHead !== d.payloadsHead
            ? "the stored payloads no longer reproduce its payload head (altered, or emptied by retention)"
            : null;
    if (mismatch) return { ok: false, digests: count, recomputed, brokenAtSeq: d.seq, problem: mismatch, at };
    recomputed++;
  }
  return { ok: true, digests: count, recomputed, headSeq: prev?.seq ?? null, at };
}
