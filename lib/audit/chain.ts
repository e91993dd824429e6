import { sha256 } from "@/lib/sha256";

/** The first entry of every tenant's chain links to this. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * Deterministic JSON: object keys sorted, no whitespace. Dates are ISO strings, bigints
 * decimal strings. The offline verifier (issue 7) must reproduce this byte for byte.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return "null";
  return JSON.stringify(value);
}

/** The fields of an audit entry that its hash covers (everything but the hash itself). */
export type ChainedEntry = {
  id: string;
  tenantId: string;
  seq: bigint;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  createdAt: Date;
  prevHash: string;
};

const CHAINED_FIELDS = [
  "id", "tenantId", "seq", "actorType", "actorId", "actorLabel", "action",
  "targetType", "targetId", "before", "after", "requestId", "createdAt",
] as const satisfies readonly (keyof ChainedEntry)[];

/** sha256(prevHash + "\n" + canonical JSON of the chained fields), hex. Extra fields are ignored. */
export function entryHash(entry: ChainedEntry): string {
  const body = Object.fromEntries(CHAINED_FIELDS.map((field) => [field, entry[field]]));
  return sha256(`${entry.prevHash}\n${canonicalJson(body)}`);
}

export type ChainCheck =
  | { ok: true; checked: number; headSeq: bigint; headHash: string }
  | { ok: false; checked: number; brokenAtSeq: bigint; problem: string };

/**
 * Walks entries in seq order and checks links and hashes. Feed it pages in order;
 * `state` carries the running head between pages.
 */
export function checkChainPage(
  entries: (ChainedEntry & { hash: string })[],
  state: { headSeq: bigint; headHash: string; checked: number },
): ChainCheck {
  let { headSeq, headHash, checked } = state;
  for (const entry of entries) {
    if (entry.seq !== headSeq + 1n) {
      return { ok: false, checked, brokenAtSeq: entry.seq, problem: `expected seq ${headSeq + 1n}, found ${entry.seq} (an entry is missing or out of order)` };
    }
    if (entry.prevHash !== headHash) {
      return { ok: false, checked, brokenAtSeq: entry.seq, problem: "previous-hash link does not match the entry before it" };
    }
    if (entryHash(entry) !== entry.hash) {
      return { ok: false, checked, brokenAtSeq: entry.seq, problem: "entry content does not match its hash (altered)" };
    }
    headSeq = entry.seq;
    headHash = entry.hash;
    checked++;
  }
  return { ok: true, checked, headSeq, headHash };
}
