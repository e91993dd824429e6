#!/usr/bin/env node
// Gatehouse evidence verifier: checks a bundle offline, without trusting Gatehouse.
//
//   node scripts/verify-evidence.mjs bundle.tar.gz [--public-key key.pem|key.jwk|public-key.json] [--json]
//   npx gatehouse-verify bundle.tar.gz --public-key key.pem          (from the repository)
//
// One file, node: modules only (Node >= 20): copy it anywhere and run it. It checks the
// manifest's Ed25519 signature, every file's SHA-256 and row count, the signed digests
// (signatures and links) and that the events and decisions in the bundle reproduce every
// digest's heads, and the audit log's hash chain between the heads the manifest names.
// It prints a verdict with the first inconsistency found and exits 0 (valid) or 1.
// The format is described in docs/EVIDENCE.md; the hashing rules mirror
// lib/evidence/format.ts and lib/audit/chain.ts (a test proves they agree).

import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { createGunzip } from "node:zlib";

export const GENESIS_HASH = "0".repeat(64);

// ---------------------------------------------------------------- hashing rules

/** Deterministic JSON (keys sorted, no whitespace), byte for byte lib/audit/chain.ts's canonicalJson. */
export function canonicalJson(value) {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return "null";
  return JSON.stringify(value);
}

/** canonicalJson for values that came out of JSON.parse (no dates or bigints): same bytes, faster. */
export function canonicalParsed(value) {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) out += (i ? "," : "") + canonicalParsed(value[i]);
        return `${out}]`;
      }
      const keys = Object.keys(value).sort();
      let out = "{";
      let first = true;
      for (const key of keys) {
        if (value[key] === undefined) continue;
        out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalParsed(value[key])}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return JSON.stringify(value) ?? "null";
  }
}

export const sha256Hex = (text) => createHash("sha256").update(text).digest("hex");
export const chainStep = (head, item) => createHash("sha256").update(head).update("\n").update(item).digest("hex");

const AUDIT_FIELDS = ["id", "tenantId", "seq", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId", "before", "after", "requestId", "createdAt"];
const EVENT_CONTENT = ["eventKey", "type", "source", "ts", "payloadHash", "isError", "inputTokens", "outputTokens", "costUsd"];
const DECISION_CONTENT = ["id", "agentId", "runExternalId", "tool", "operation", "resource", "actionHash", "args", "outcome", "reasons", "matchedRules", "shadow", "policyVersion", "approvalId", "createdAt"];
const pick = (row, fields) => Object.fromEntries(fields.map((f) => [f, row[f] ?? null]));

/** An audit entry's hash: sha256(prevHash + "\n" + canonical JSON of its chained fields). */
export function entryHash(entry) {
  return chainStep(entry.prevHash, canonicalJson(pick(entry, AUDIT_FIELDS)));
}
export function eventLeaf(row) {
  return { k: "e", id: row.id, agent: row.agentId, run: row.runExternalId, at: row.receivedAt, c: sha256Hex(canonicalParsed(pick(row, EVENT_CONTENT))) };
}
export function decisionLeaf(row) {
  return { k: "d", id: row.id, ev: row.timelineEventId, agent: row.agentId, run: row.runExternalId, at: row.timelineReceivedAt, c: sha256Hex(canonicalParsed(pick(row, DECISION_CONTENT))) };
}
export function payloadHash(row) {
  return sha256Hex(canonicalParsed({ payload: row.payload ?? null, redacted: row.redacted ?? null }));
}
const leafFields = (leaf) => (leaf.k === "e"
  ? { k: leaf.k, id: leaf.id, agent: leaf.agent, run: leaf.run, at: leaf.at, c: leaf.c }
  : { k: leaf.k, id: leaf.id, ev: leaf.ev, agent: leaf.agent, run: leaf.run, at: leaf.at, c: leaf.c });
export const leafText = (leaf) => canonicalParsed(leafFields(leaf));

export function inScope(scope, item) {
  return item.at >= scope.from && item.at < scope.to
    && (scope.agentIds.length === 0 || scope.agentIds.includes(item.agent))
    && (scope.runIds.length === 0 || scope.runIds.includes(item.run));
}

/** Key id of an Ed25519 public key: "evk_" + 16 hex digits of sha256(raw key). */
export function keyIdOf(publicKey) {
  const { x } = publicKey.export({ format: "jwk" });
  return `evk_${createHash("sha256").update(Buffer.from(x, "base64url")).digest("hex").slice(0, 16)}`;
}

// ---------------------------------------------------------------- archive

class Invalid extends Error {}
const fail = (message) => {
  throw new Invalid(message);
};

function parseOctal(buf, start, length) {
  if (buf[start] & 0x80) { // GNU base-256
    let v = 0n;
    for (let i = start + 1; i < start + length; i++) v = (v << 8n) | BigInt(buf[i]);
    return Number(v);
  }
  const text = buf.toString("ascii", start, start + length).replace(/\0.*$/s, "").trim();
  return text ? parseInt(text, 8) : 0;
}

/** Extracts a tar.gz into `dir` (regular files only), hashing each file as it streams. */
async function extract(bundle, dir) {
  const files = new Map();
  let pending = Buffer.alloc(0);
  let current = null; // { name, remaining, pad, out, hash, bytes }
  let ended = false;
  const write = (out, chunk) =>
    out.write(chunk)
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          const onDrain = () => (out.off("error", onError), resolve());
          const onError = (error) => (out.off("drain", onDrain), reject(error));
          out.once("drain", onDrain).once("error", onError);
        });
  const finish = (out) => new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  // Gatehouse writes a bare 10-byte gzip header (no name, no mtime, Unix). Gunzip ignores
  // some of those bytes, so they are checked here: a bundle with any byte changed fails.
  const head = Buffer.alloc(10);
  const fd = await open(bundle, "r");
  try {
    await fd.read(head, 0, 10, 0);
  } finally {
    await fd.close();
  }
  if (head.toString("hex") !== "1f8b0800000000000003") fail("not a Gatehouse evidence bundle (unexpected gzip header: the file is altered or was re-compressed)");
  const gunzip = createReadStream(bundle).pipe(createGunzip());
  try {
    for await (const chunk of gunzip) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        if (current) {
          const take = Math.min(current.remaining, pending.length);
          if (take > 0) {
            const part = pending.subarray(0, take);
            current.hash.update(part);
            await write(current.out, part);
            current.remaining -= take;
            pending = pending.subarray(take);
          }
          if (current.remaining > 0) break;
          if (pending.length < current.pad) break;
          if (!pending.subarray(0, current.pad).every((b) => b === 0)) fail(`the archive is altered (padding after ${current.name} is not zero)`);
          pending = pending.subarray(current.pad);
          await finish(current.out);
          files.set(current.name, { path: current.path, sha256: current.hash.digest("hex"), bytes: current.size });
          current = null;
        }
        if (ended) {
          if (!pending.every((b) => b === 0)) fail("the archive is altered (data after the end-of-archive marker)");
          pending = Buffer.alloc(0);
          break;
        }
        if (pending.length < 512) break;
        const header = pending.subarray(0, 512);
        pending = pending.subarray(512);
        if (header.every((b) => b === 0)) {
          ended = true;
          continue;
        }
        let sum = 0;
        for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
        // Exactly as Gatehouse writes it (six octal digits, NUL, space): no header byte goes unchecked.
        if (header.toString("ascii", 148, 156) !== `${sum.toString(8).padStart(6, "0")}\0 `) fail("the archive is altered (a tar header checksum does not match)");
        const type = String.fromCharCode(header[156] || 48);
        const prefix = header.toString("utf8", 345, 500).replace(/\0.*$/s, "");
        const rawName = header.toString("utf8", 0, 100).replace(/\0.*$/s, "");
        const name = prefix ? `${prefix}/${rawName}` : rawName;
        const size = parseOctal(header, 124, 12);
        if (type === "5") continue; // a directory
        if (type !== "0") fail(`the archive holds an entry of an unexpected kind (${name}, type ${type})`);
        const parts = name.split("/");
        if (name.startsWith("/") || parts.includes("..") || parts.length !== 2) fail(`the archive holds an unexpected path: ${name}`);
        const base = parts[1];
        if (files.has(base) || !/^[\w.-]+$/.test(base)) fail(`the archive holds ${base} twice or under an unexpected name`);
        const target = path.join(dir, base);
        current = { name: base, path: target, size, remaining: size, pad: (512 - (size % 512)) % 512, out: createWriteStream(target, { flags: "wx" }), hash: createHash("sha256") };
      }
    }
  } catch (error) {
    // A write still in flight completes with ERR_STREAM_DESTROYED: without a listener that
    // would be an uncaught exception, after the verdict.
    if (current) current.out.on("error", () => {}).destroy();
    if (error instanceof Invalid) throw error;
    fail(`the archive is corrupt or not a gzip-compressed tar file (${error.message})`);
  }
  if (current) {
    current.out.on("error", () => {}).destroy();
    fail(`the archive is truncated (in ${current.name})`);
  }
  if (!ended) fail("the archive is truncated (no end-of-archive marker)");
  return files;
}

// ---------------------------------------------------------------- reading data files

/** Reads a CSV file with typed columns: unquoted empty = null, "" = empty string. */
async function* csvRows(file, columns) {
  const types = columns.map(([, t]) => t);
  let row = [];
  let cell = "";
  let quoted = false; // the current cell was quoted
  let inQuotes = false;
  let afterQuote = false;
  let header = true;
  let line = 1;
  const convert = (text, wasQuoted, type) => {
    if (!wasQuoted && text === "") return null;
    if (type === "string") return text;
    if (type === "number") {
      const n = Number(text);
      if (!Number.isFinite(n)) fail(`${path.basename(file)} line ${line}: "${text}" is not a number`);
      return n;
    }
    if (type === "boolean") {
      if (text !== "true" && text !== "false") fail(`${path.basename(file)} line ${line}: "${text}" is not true/false`);
      return text === "true";
    }
    try {
      return JSON.parse(text);
    } catch {
      return fail(`${path.basename(file)} line ${line}: a JSON column does not hold JSON`);
    }
  };
  const endCell = () => {
    row.push({ text: cell, quoted });
    cell = "";
    quoted = false;
    afterQuote = false;
  };
  const endRow = () => {
    endCell();
    const cells = row;
    row = [];
    if (header) {
      header = false;
      const names = cells.map((c) => c.text);
      if (names.join(",") !== columns.map(([n]) => n).join(",")) fail(`${path.basename(file)}: the header row does not match the manifest's columns`);
      return null;
    }
    if (cells.length !== columns.length) fail(`${path.basename(file)} line ${line}: ${cells.length} cells, expected ${columns.length}`);
    const out = {};
    columns.forEach(([name], i) => {
      out[name] = convert(cells[i].text, cells[i].quoted, types[i]);
    });
    return out;
  };
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (inQuotes) {
        if (ch === '"') {
          if (chunk[i + 1] === '"') {
            cell += '"';
            i++;
          } else if (i + 1 === chunk.length) {
            inQuotes = false; // resolved below if the next chunk starts with a quote
            afterQuote = "pending";
          } else {
            inQuotes = false;
            afterQuote = true;
          }
        } else {
          if (ch === "\n") line++;
          cell += ch;
        }
        continue;
      }
      if (afterQuote === "pending") {
        afterQuote = true;
        if (ch === '"') { // an escaped quote split across chunks
          cell += '"';
          inQuotes = true;
          afterQuote = false;
          continue;
        }
      }
      if (ch === '"') {
        if (cell !== "" || afterQuote) fail(`${path.basename(file)} line ${line}: a quote inside an unquoted cell`);
        inQuotes = true;
        quoted = true;
      } else if (ch === ",") endCell();
      else if (ch === "\n") {
        const r = endRow();
        line++;
        if (r) yield r;
      } else if (ch === "\r") {
        // tolerated before \n
      } else {
        if (afterQuote) fail(`${path.basename(file)} line ${line}: text after a closing quote`);
        cell += ch;
      }
    }
  }
  if (inQuotes) fail(`${path.basename(file)}: an unterminated quoted cell`);
  if (cell !== "" || row.length) {
    const r = endRow();
    if (r) yield r;
  }
}

async function* jsonlRows(file) {
  let line = 0;
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const text of rl) {
    line++;
    if (text === "") fail(`${path.basename(file)} line ${line}: an empty line`);
    let row;
    try {
      row = JSON.parse(text);
    } catch {
      fail(`${path.basename(file)} line ${line}: not valid JSON`);
    }
    if (row === null || typeof row !== "object" || Array.isArray(row)) fail(`${path.basename(file)} line ${line}: not a JSON object`);
    yield row;
  }
}

/** Newline-terminated lines of a file (JSONL rows), counted without parsing. */
async function countLines(file) {
  let lines = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/** Rows of a data file with their 1-based row number. */
async function* rowsOf(ctx, name) {
  const entry = ctx.fileByName.get(name);
  if (!entry) return;
  const source = name.endsWith(".csv") ? csvRows(entry.path, entry.columns ?? fail(`${name}: the manifest lists no columns`)) : jsonlRows(entry.path);
  let n = 0;
  for await (const row of source) yield { row, n: ++n };
}

/** A peekable async iterator. */
class Peek {
  constructor(iterator) {
    this.it = iterator[Symbol.asyncIterator]();
    this.head = undefined;
  }
  async peek() {
    if (this.head === undefined) {
      const { value, done } = await this.it.next();
      this.head = done ? null : value;
    }
    return this.head;
  }
  async take() {
    const v = await this.peek();
    this.head = undefined;
    return v;
  }
}

// ---------------------------------------------------------------- checks

function loadKeys(text, source) {
  const keys = new Map();
  const add = (keyObject, claimedKid) => {
    if (keyObject.asymmetricKeyType !== "ed25519") fail(`${source}: not an Ed25519 public key`);
    const kid = keyIdOf(keyObject);
    if (claimedKid && claimedKid !== kid) fail(`${source}: key ${claimedKid} does not match its own key material (that would be ${kid})`);
    keys.set(kid, keyObject);
  };
  const trimmed = text.trim();
  if (trimmed.startsWith("-----BEGIN")) {
    add(createPublicKey(trimmed));
    return keys;
  }
  let json;
  try {
    json = JSON.parse(trimmed);
  } catch {
    fail(`${source}: neither a PEM public key nor JSON`);
  }
  const jwks = Array.isArray(json) ? json : json.keys ? json.keys : json.jwk ? [json.jwk] : [json];
  for (const jwk of jwks) {
    try {
      add(createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: "jwk" }), jwk.kid);
    } catch (error) {
      if (error instanceof Invalid) throw error;
      fail(`${source}: a key is not a valid Ed25519 JWK`);
    }
  }
  return keys;
}

function checkSignature(keys, keyId, text, signature, what) {
  const key = keys.get(keyId);
  if (!key) fail(`${what} is signed by key ${keyId}, which is not among the trusted keys`);
  let ok = false;
  try {
    ok = verifySignature(null, Buffer.from(text), key, Buffer.from(String(signature), "base64"));
  } catch {
    ok = false;
  }
  if (!ok) fail(`${what}: the Ed25519 signature does not verify (forged or altered)`);
}

async function checkDigests(ctx) {
  const { manifest, keys } = ctx;
  const digests = [];
  for await (const { row, n } of rowsOf(ctx, "digests.jsonl")) {
    const { hash, signature, ...body } = row;
    const what = `digest #${body.seq} (digests.jsonl line ${n})`;
    if (body.tenantId !== manifest.tenant.id) fail(`${what} belongs to another tenant`);
    const text = canonicalJson(body);
    if (sha256Hex(text) !== hash) fail(`${what}: its content does not match its hash (altered)`);
    checkSignature(keys, body.keyId, text, signature, what);
    const prev = digests[digests.length - 1];
    if (prev) {
      if (BigInt(body.seq) !== BigInt(prev.seq) + 1n) fail(`${what}: expected digest #${BigInt(prev.seq) + 1n} (a digest is missing or out of order)`);
      if (body.prevHash !== prev.hash) fail(`${what}: its previous-hash link does not match digest #${prev.seq}`);
      if (body.fromEventId !== prev.toEventId) fail(`${what}: its event range does not continue digest #${prev.seq}'s`);
    } else if (body.seq === "1" && (body.prevHash !== GENESIS_HASH || body.fromEventId !== "0")) fail(`${what}: the first digest must start the chain`);
    digests.push({ ...body, hash });
  }
  const { firstSeq, lastSeq } = manifest.digestChain;
  if ((digests[0]?.seq ?? null) !== firstSeq || (digests[digests.length - 1]?.seq ?? null) !== lastSeq) {
    fail(`digests.jsonl does not hold digests #${firstSeq}–#${lastSeq} as the manifest says`);
  }
  return digests;
}

async function checkChain(ctx, digests) {
  const { manifest, format } = ctx;
  const scope = manifest.scope;
  const eventsName = `events.${format}`;
  const decisionsName = `decisions.${format}`;
  const order = (id, rank) => BigInt(id) * 2n + BigInt(rank);

  // Three sorted streams merged into the chain's order: (event id, event before its decision).
  async function* events() {
    let last = -1n;
    for await (const { row, n } of rowsOf(ctx, eventsName)) {
      const key = order(row.id, 0);
      if (key <= last) fail(`${eventsName} row ${n} (event ${row.id}) is out of order: rows were reordered or duplicated`);
      last = key;
      yield { key, kind: "e", data: row, where: `${eventsName} row ${n}` };
    }
  }
  const unchained = [];
  async function* decisions() {
    let last = -1n;
    let sawUnchained = false;
    for await (const { row, n } of rowsOf(ctx, decisionsName)) {
      if (row.timelineEventId === null) {
        sawUnchained = true;
        unchained.push({ row, n });
        continue;
      }
      if (sawUnchained) fail(`${decisionsName} row ${n}: chained decisions must come before the unchained ones (rows were reordered)`);
      const key = order(row.timelineEventId, 1);
      if (key <= last) fail(`${decisionsName} row ${n} (decision ${row.id}) is out of order: rows were reordered or duplicated`);
      last = key;
      yield { key, kind: "d", data: row, where: `${decisionsName} row ${n}` };
    }
  }
  async function* leaves() {
    let last = -1n;
    for await (const { row, n } of rowsOf(ctx, "chain_leaves.jsonl")) {
      const key = row.k === "e" ? order(row.id, 0) : row.k === "d" ? order(row.ev, 1) : fail(`chain_leaves.jsonl line ${n}: unknown kind`);
      if (key <= last) fail(`chain_leaves.jsonl line ${n} is out of order: lines were reordered or duplicated`);
      last = key;
      yield { key, kind: row.k, leaf: row, where: `chain_leaves.jsonl line ${n}` };
    }
  }
  const streams = [new Peek(events()), new Peek(decisions()), new Peek(leaves())];

  const result = { sealedEvents: 0, sealedDecisions: 0, unsealedEvents: 0, unsealedDecisions: 0, unchainedDecisions: 0, purged: 0, digests: digests.length };
  const warnings = ctx.warnings;
  let d = 0;
  const fresh = () => ({ eventsHead: GENESIS_HASH, payloadsHead: GENESIS_HASH, eventCount: 0, decisionCount: 0, purged: 0 });
  let acc = fresh();
  let lastEvent = null; // { id, key } of the last event item seen
  const close = (digest) => {
    const label = `digest #${digest.seq} (events ${BigInt(digest.fromEventId) + 1n}–${digest.toEventId})`;
    if (acc.eventCount !== digest.eventCount || acc.decisionCount !== digest.decisionCount) {
      fail(`${label}: the bundle holds ${acc.eventCount} events and ${acc.decisionCount} decisions it covers, the signed digest ${digest.eventCount} and ${digest.decisionCount} (rows were removed or added)`);
    }
    if (acc.eventsHead !== digest.eventsHead) fail(`${label}: the events and decisions in the bundle do not reproduce the signed head (a covered row was altered, removed, swapped or reordered)`);
    if (acc.payloadsHead !== digest.payloadsHead) {
      if (acc.purged > 0) warnings.push(`${label}: ${acc.purged} payload(s) were emptied by retention, so its payload head cannot be checked (metadata verified)`);
      else fail(`${label}: the event payloads in the bundle do not reproduce the signed payload head (a payload was altered)`);
    }
    result.sealedEvents += acc.eventCount;
    result.sealedDecisions += acc.decisionCount;
    result.purged += acc.purged;
    acc = fresh();
  };

  for (;;) {
    let best = null;
    for (const s of streams) {
      const head = await s.peek();
      if (head && (!best || head.key < best.head.key)) best = { s, head };
      else if (head && best && head.key === best.head.key) fail(`${head.where} and ${best.head.where} cover the same chain position (a row appears twice)`);
    }
    if (!best) break;
    const item = await best.s.take();
    const id = BigInt(item.key / 2n);
    // Close the digests that end before this item.
    while (d < digests.length && id > BigInt(digests[d].toEventId)) close(digests[d++]);
    const sealed = d < digests.length;
    if (digests.length && id <= BigInt(digests[0].fromEventId)) fail(`${item.where}: event ${id} precedes the first digest in the bundle`);

    let leaf;
    let payload;
    if (item.data) {
      if (item.kind === "e") {
        leaf = eventLeaf(item.data);
        payload = payloadHash(item.data);
        const purged = canonicalJson(item.data.payload) === "{}" && canonicalJson(item.data.redacted) === '["*"]';
        if (purged) acc.purged++;
        lastEvent = { id: item.data.id };
      } else {
        if (!lastEvent || lastEvent.id !== item.data.timelineEventId) fail(`${item.where}: decision ${item.data.id} names timeline event ${item.data.timelineEventId}, which is not in the bundle`);
        leaf = decisionLeaf(item.data);
      }
      if (!inScope(scope, leaf)) fail(`${item.where}: ${item.kind === "e" ? "event" : "decision"} ${leaf.id} lies outside the export's scope`);
    } else {
      leaf = item.leaf;
      if (!sealed) fail(`${item.where}: a chain leaf after the last digest`);
      if (leaf.digest !== digests[d].seq) fail(`${item.where}: the leaf names digest #${leaf.digest} but lies in digest #${digests[d].seq}`);
      if (inScope(scope, leaf)) {
        fail(`${item.where}: ${leaf.k === "e" ? "event" : "decision"} ${leaf.id} is in the export's scope but appears only as a chain leaf: its row is missing from ${leaf.k === "e" ? eventsName : decisionsName}`);
      }
      if (leaf.k === "e") {
        if (typeof leaf.p !== "string") fail(`${item.where}: an event leaf without its payload hash`);
        payload = leaf.p;
        lastEvent = { id: leaf.id };
      } else if (!lastEvent || lastEvent.id !== leaf.ev) fail(`${item.where}: decision ${leaf.id} names timeline event ${leaf.ev}, which is not in the bundle`);
    }
    if (sealed) {
      acc.eventsHead = chainStep(acc.eventsHead, leafText(leaf));
      if (leaf.k === "e") {
        acc.eventCount++;
        acc.payloadsHead = chainStep(acc.payloadsHead, payload);
      } else acc.decisionCount++;
    } else if (leaf.k === "e") result.unsealedEvents++;
    else result.unsealedDecisions++;
  }
  while (d < digests.length) close(digests[d++]);

  for (const { row, n } of unchained) {
    if (!inScope(scope, { at: row.createdAt, agent: row.agentId, run: row.runExternalId })) fail(`${decisionsName} row ${n}: decision ${row.id} lies outside the export's scope`);
    result.unchainedDecisions++;
  }
  if (result.unsealedEvents) warnings.push(`${result.unsealedEvents} event(s) and ${result.unsealedDecisions} decision(s) arrived after the last digest: they are covered by the manifest's signature only, not yet by a digest`);
  if (result.unchainedDecisions) warnings.push(`${result.unchainedDecisions} decision(s) have no server timeline event, so no digest covers them (manifest signature only)`);
  return result;
}

async function checkAudit(ctx) {
  const { manifest, format } = ctx;
  const name = `audit_entries.${format}`;
  const { start, end } = manifest.auditChain;
  let headSeq = BigInt(start.seq);
  let headHash = start.hash;
  let count = 0;
  for await (const { row, n } of rowsOf(ctx, name)) {
    const where = `${name} row ${n} (entry #${row.seq})`;
    if (row.tenantId !== manifest.tenant.id) fail(`${where} belongs to another tenant`);
    if (BigInt(row.seq) !== headSeq + 1n) fail(`${where}: expected entry #${headSeq + 1n} (an entry is missing or out of order)`);
    if (row.prevHash !== headHash) fail(`${where}: its previous-hash link does not match the entry before it`);
    if (entryHash(row) !== row.hash) fail(`${where}: its content does not match its hash (altered)`);
    headSeq = BigInt(row.seq);
    headHash = row.hash;
    count++;
  }
  if (headSeq !== BigInt(end.seq) || headHash !== end.hash) fail(`${name} ends at entry #${headSeq}, but the manifest says the chain's head at the end of the period is #${end.seq} (entries are missing)`);
  return { count, from: start.seq, to: end.seq };
}

async function checkPolicies(ctx) {
  const versions = new Set();
  for await (const { row } of rowsOf(ctx, `policy_versions.${ctx.format}`)) versions.add(row.version);
  const missing = new Set();
  for await (const { row } of rowsOf(ctx, `decisions.${ctx.format}`)) {
    if (row.policyVersion !== null && !versions.has(row.policyVersion)) missing.add(row.policyVersion);
  }
  if (missing.size) ctx.warnings.push(`decisions cite policy version(s) ${[...missing].join(", ")}, not in policy_versions (published outside the period?)`);
  return versions.size;
}

/**
 * Verifies a bundle. Returns { ok, problem?, warnings, summary }; never throws for an
 * invalid bundle (only for an unreadable file path).
 */
export async function verifyBundle(bundle, { publicKey, sha256 } = {}) {
  const warnings = [];
  const steps = [];
  const dir = await mkdtemp(path.join(tmpdir(), "gatehouse-verify-"));
  const summary = {};
  try {
    // The archive's own hash: with the one recorded at download (the console lists it), any
    // changed byte fails, even one gzip would decompress to the same content.
    summary.archiveSha256 = await fileSha256(bundle);
    if (sha256) {
      if (summary.archiveSha256 !== String(sha256).toLowerCase()) fail(`the archive's SHA-256 is ${summary.archiveSha256}, not the ${sha256} recorded for this export`);
      steps.push("archive SHA-256 matches the one recorded for the export");
    } else {
      warnings.push(`no --sha256 given: compare the archive's SHA-256 ${summary.archiveSha256} with the one the Evidence page lists for this export`);
    }
    const files = await extract(bundle, dir);
    const manifestEntry = files.get("manifest.json") ?? fail("the archive has no manifest.json");
    let manifest;
    try {
      manifest = JSON.parse(await readFile(manifestEntry.path, "utf8"));
    } catch {
      fail("manifest.json is not valid JSON");
    }
    if (manifest.format !== "gatehouse-evidence" || manifest.version !== 1) fail("manifest.json is not a Gatehouse evidence manifest (format 1)");
    summary.exportId = manifest.exportId;
    summary.tenant = manifest.tenant;
    summary.scope = manifest.scope;
    summary.createdAt = manifest.createdAt;
    summary.requestedBy = manifest.requestedBy;

    // Keys: the given public key (independent trust), else the bundle's own (self-consistency only).
    let keys;
    if (publicKey) {
      keys = loadKeys(publicKey.text, publicKey.source);
      summary.trust = `public key from ${publicKey.source}`;
    } else {
      keys = loadKeys(JSON.stringify({ keys: manifest.keys ?? [] }), "the bundle's manifest");
      summary.trust = "the key embedded in the bundle (pass --public-key with the instance's published key to trust it independently)";
      warnings.push(`no --public-key given: signatures were checked against the key in the bundle itself (${manifest.signing?.keyId}); compare it with GET /api/v1/evidence/public-key`);
    }
    const { signature, ...unsigned } = manifest;
    if (!signature || signature.alg !== "Ed25519" || signature.keyId !== manifest.signing?.keyId) fail("manifest.json carries no Ed25519 signature by its signing key");
    checkSignature(keys, signature.keyId, canonicalJson(unsigned), signature.value, "manifest.json");
    summary.keyId = signature.keyId;
    steps.push(`manifest signature (Ed25519, key ${signature.keyId})`);

    const format = manifest.scope.format;
    const listed = new Set(["manifest.json"]);
    let bytes = 0;
    for (const f of manifest.files) {
      listed.add(f.path);
      const got = files.get(f.path) ?? fail(`${f.path}, listed in the manifest, is missing from the archive`);
      if (got.bytes !== f.bytes || got.sha256 !== f.sha256) fail(`${f.path}: its SHA-256 does not match the manifest (the file was altered or swapped)`);
      bytes += f.bytes;
    }
    for (const name of files.keys()) if (!listed.has(name)) fail(`${name} is in the archive but not in the manifest`);
    steps.push(`${manifest.files.length} files match their SHA-256 (${bytes} bytes)`);

    const ctx = { manifest, keys, format, warnings, fileByName: new Map(manifest.files.map((f) => [f.path, { ...f, path: files.get(f.path).path }])) };
    for (const f of manifest.files) {
      let rows = 0;
      if (f.path.endsWith(".jsonl")) rows = await countLines(ctx.fileByName.get(f.path).path); // parsed (and validated) by the checks below
      else for await (const _ of rowsOf(ctx, f.path)) rows++;
      if (rows !== f.rows) fail(`${f.path} holds ${rows} rows, the manifest says ${f.rows} (rows were removed or added)`);
    }
    summary.counts = manifest.counts;
    steps.push(`row counts: ${manifest.files.map((f) => `${f.path.replace(/\.(jsonl|csv)$/, "")} ${f.rows}`).join(", ")}`);

    const digests = await checkDigests(ctx);
    steps.push(digests.length ? `digests #${digests[0].seq}–#${digests[digests.length - 1].seq}: signatures, hashes and links` : "no digest covers this period yet");
    const chain = await checkChain(ctx, digests);
    summary.chain = chain;
    steps.push(`events and decisions reproduce every digest (${chain.sealedEvents} events and ${chain.sealedDecisions} decisions covered, in scope or as leaves)`);
    const audit = await checkAudit(ctx);
    summary.audit = audit;
    steps.push(`audit chain: ${audit.count} entries link from #${audit.from} to #${audit.to}, every hash recomputed`);
    summary.policyVersions = await checkPolicies(ctx);
    return { ok: true, steps, warnings, summary };
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    return { ok: false, problem: error.message, steps, warnings, summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fileSha256(file) {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest("hex");
}

// ---------------------------------------------------------------- command line

function usage() {
  return "usage: node scripts/verify-evidence.mjs <bundle.tar.gz> [--public-key <key.pem|key.jwk|public-key.json>] [--sha256 <the export's SHA-256>] [--json]";
}

async function main(argv) {
  const args = argv.slice(2);
  let bundle = null;
  let keyFile = null;
  let sha256 = null;
  let asJson = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--public-key") keyFile = args[++i];
    else if (args[i] === "--sha256") sha256 = args[++i];
    else if (args[i] === "--json") asJson = true;
    else if (args[i] === "-h" || args[i] === "--help") {
      console.log(usage());
      return 0;
    } else if (!bundle) bundle = args[i];
    else {
      console.error(usage());
      return 2;
    }
  }
  if (!bundle || keyFile === undefined || sha256 === undefined || (sha256 !== null && !/^[0-9a-fA-F]{64}$/.test(sha256))) {
    console.error(usage());
    return 2;
  }
  let publicKey;
  if (keyFile) {
    try {
      publicKey = { text: await readFile(keyFile, "utf8"), source: keyFile };
    } catch (error) {
      console.error(`cannot read ${keyFile}: ${error.message}`);
      return 2;
    }
  }
  let result;
  try {
    result = await verifyBundle(bundle, { publicKey, sha256 });
  } catch (error) {
    console.error(`cannot verify ${bundle}: ${error.message}`);
    return 2;
  }
  if (asJson) {
    console.log(JSON.stringify(result, null, 2));
    return result.ok ? 0 : 1;
  }
  const s = result.summary;
  console.log(`Gatehouse evidence bundle ${path.basename(bundle)}`);
  if (s.tenant) {
    const scope = s.scope;
    console.log(`  tenant     ${s.tenant.name} (${s.tenant.slug})`);
    console.log(`  period     ${scope.from} → ${scope.to}`);
    console.log(`  scope      agents: ${scope.agentIds.length ? scope.agentIds.join(", ") : "all"}; runs: ${scope.runIds.length ? scope.runIds.join(", ") : "all"}; format ${scope.format}`);
    console.log(`  exported   ${s.createdAt} for ${s.requestedBy?.email}`);
    console.log(`  trusting   ${s.trust}`);
  }
  for (const step of result.steps) console.log(`  ✓ ${step}`);
  if (!result.ok) console.log(`  ✗ ${result.problem}`);
  for (const w of result.warnings) console.log(`  ! ${w}`);
  console.log(result.ok ? "VERDICT: VALID — nothing in this bundle was altered, removed, added or reordered." : `VERDICT: INVALID — first inconsistency: ${result.problem}`);
  return result.ok ? 0 : 1;
}

const invoked = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
const viaBin = process.argv[1] && path.basename(process.argv[1]) === "gatehouse-verify";
if (invoked || viaBin) {
  main(process.argv).then((code) => process.exit(code));
}
