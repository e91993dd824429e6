/**
 * Redaction before storage (API.md §4): secrets are removed from an event's payload in
 * the API process, before the event is queued, so they reach neither Redis nor Postgres.
 * Three rules, applied to every value of the payload (not only args/output/input, since
 * agents put secrets anywhere):
 *   1. values under a sensitive key name (password, api_key, authorization, …) are replaced
 *      whole;
 *   2. secret-shaped substrings (bearer tokens, provider API keys, JWTs, private keys,
 *      credentials in URLs, `password=…`) are replaced inside strings;
 *   3. the tenant's configured JSON paths (Settings → Redaction) are replaced whole.
 * The caller keeps a SHA-256 of the original event, so evidence can be matched later.
 *
 * Every pattern is linear in its input (no start position rescans what another one
 * scanned; redact.test.ts checks adversarial input), so redaction work per request is
 * bounded by the request body cap (MAX_BODY_BYTES) times the number of patterns: strings
 * are neither truncated nor chunked, because a secret across a chunk boundary would leak.
 */

import { setOwn } from "./set-own";

export const REDACTED = "[REDACTED]";

const SENSITIVE_KEY =
  /^(password|passwd|passphrase|secret|client[_-]?secret|secret[_-]?key|api[_-]?key|x[_-]?api[_-]?key|access[_-]?key|aws[_-]?secret[_-]?access[_-]?key|(access|refresh|id|auth|bearer|session)[_-]?token|token|authorization|proxy[_-]?authorization|cookie|set[_-]?cookie|private[_-]?key|credentials?)$/i;

/** [kind, pattern, replacement]. Each pattern is global; `$1`… keep the non-secret part. */
const PATTERNS: [string, RegExp, string][] = [
  ["private_key", /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[REDACTED:private_key]"],
  // Starts only where a run of [\w-] starts: from inside the run ("eyJ-eyJ-…"), every
  // "eyJ" would rescan the rest of the run, which is quadratic.
  ["jwt", /(?<![\w-])eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/g, "[REDACTED:jwt]"],
  ["bearer", /\b(Bearer|Token)(\s+)[\w\-.~+/]{12,}=*/gi, "$1$2[REDACTED]"],
  ["basic_auth", /\b(Basic)(\s+)[A-Za-z0-9+/]{12,}={0,2}/g, "$1$2[REDACTED]"],
  ["gatehouse_secret", /\bghs\.[a-z]+_[0-9a-z]{16}\.[\w-]{43}/g, "[REDACTED:gatehouse_secret]"],
  ["openai_key", /\bsk-(?:proj-|ant-(?:api\d\d-)?)?[\w-]{20,}/g, "[REDACTED:api_key]"],
  ["stripe_key", /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|\bwhsec_[A-Za-z0-9]{20,}/g, "[REDACTED:api_key]"],
  ["github_token", /\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_\w{22,}/g, "[REDACTED:api_key]"],
  ["slack_token", /\bxox[abposr]-[A-Za-z0-9-]{10,}|hooks\.slack\.com\/services\/[\w/]+/g, "[REDACTED:api_key]"],
  ["aws_key", /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, "[REDACTED:api_key]"],
  ["google_key", /\bAIza[\w-]{35}/g, "[REDACTED:api_key]"],
  // Anchored at "://" (the scheme is only looked behind at): a match tried from every
  // letter of a scheme-like run ("a.a.a.…") rescanned the run each time, quadratically.
  ["url_credentials", /(?<=[a-z0-9+.-])(:\/\/[^\s:/@]+:)[^\s@/]+(@)/gi, "$1[REDACTED]$2"],
  [
    "assignment",
    /\b(password|passwd|secret|client_secret|api[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token)(["']?\s*[:=]\s*["']?)(?!\[REDACTED)[^\s"'&,;}]{4,}/gi,
    "$1$2[REDACTED]",
  ],
];
/** One cheap test before the individual replacements; most strings match nothing. */
const ANY_SECRET = new RegExp(PATTERNS.map(([, p]) => `(?:${p.source})`).join("|"), "i");
const MIN_SECRET_LENGTH = 14;

/** Replaces secret-shaped substrings; returns the same string when nothing matched. */
export function redactString(value: string): string {
  if (value.length < MIN_SECRET_LENGTH || !ANY_SECRET.test(value)) return value;
  let out = value;
  for (const [, pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A tenant's configured path: dot-separated keys from the event's root, `*` for any key
 * or array index, `[n]`/`[*]` accepted for arrays: `args.card.number`, `output.customers[*].email`.
 */
export type CompiledPath = string[];

export function compilePath(path: string): CompiledPath {
  return path
    .trim()
    .replace(/^\$\.?/, "")
    .replace(/\[(\d+|\*)\]/g, ".$1")
    .split(".")
    .filter((s) => s !== "");
}

/** What Settings accepts as a redaction path. */
export const redactionPathSyntax = /^(\$\.)?([\w-]+|\*)(\.([\w-]+|\*)|\[(\d+|\*)\])*$/;

function matchesAny(paths: CompiledPath[], at: string[]): boolean {
  outer: for (const p of paths) {
    if (p.length !== at.length) continue;
    for (let i = 0; i < p.length; i++) if (p[i] !== "*" && p[i] !== at[i]) continue outer;
    return true;
  }
  return false;
}

/** Strings with NUL cannot be stored in jsonb; they become U+FFFD (the hash covers the original). */
const NUL = /\u0000/g;

/**
 * Returns a redacted deep copy of `value` and the paths (dot-joined) that were redacted.
 * `prefix` is where `value` sits in the event (paths are matched from the event root).
 */
export function redactValue(value: unknown, paths: CompiledPath[], prefix: string[] = []): { value: unknown; redacted: string[] } {
  const redacted: string[] = [];
  return { value: walk(value, [...prefix], paths, redacted), redacted };
}

/**
 * One node of redactValue's copy. `at` is the path to `node`, a stack shared by the whole
 * walk (pushed and popped around each child) so that no path is built unless reported:
 * this runs for every value of every ingested event.
 */
function walk(node: unknown, at: string[], paths: CompiledPath[], redacted: string[]): unknown {
  if (typeof node === "string") {
    const clean = node.includes("\u0000") ? node.replace(NUL, "\uFFFD") : node;
    const out = redactString(clean);
    if (out !== clean) redacted.push(at.join("."));
    return out;
  }
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) {
    const out = new Array<unknown>(node.length);
    for (let i = 0; i < node.length; i++) {
      at.push(String(i));
      if (paths.length && matchesAny(paths, at)) {
        redacted.push(at.join("."));
        out[i] = REDACTED;
      } else {
        out[i] = walk(node[i], at, paths, redacted);
      }
      at.pop();
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key in node) {
    if (!Object.hasOwn(node, key)) continue;
    const item = (node as Record<string, unknown>)[key];
    const safeKey = key.includes("\u0000") ? key.replace(NUL, "\uFFFD") : key;
    at.push(safeKey);
    if ((SENSITIVE_KEY.test(key) && item !== null && item !== "" && typeof item !== "boolean") || (paths.length && matchesAny(paths, at))) {
      redacted.push(at.join("."));
      setOwn(out, safeKey, REDACTED);
    } else {
      setOwn(out, safeKey, walk(item, at, paths, redacted));
    }
    at.pop();
  }
  return out;
}

