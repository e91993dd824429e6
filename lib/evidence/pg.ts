import { escapeLiteral, type default as pg } from "pg";
import { closeIngestPool, tenantPgPool, withTenantPg } from "@/lib/ingest/pg-writer";
import { COLUMNS } from "./format";

/**
 * Evidence reads through plain `pg` (the process's shared pool of lib/ingest/pg-writer.ts,
 * the application role, so RLS applies as everywhere): decimals come out as text
 * formatted by Postgres, JSON as its text, without Prisma's per-row conversion. Each page
 * runs in its own short read-only transaction with app.tenant_id set (keyset or id-range
 * pages, never a long transaction holding the export). The export reads its events with
 * COPY … (FORMAT binary) and copies their bytes into the files (exportEventRange, CopyRow,
 * DataFile.rowFromBytes); the sealer reads rows (eventPage).
 */
export function evidencePool(): pg.Pool {
  return tenantPgPool();
}

export type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** `fn` in one transaction with the tenant set; read-only unless `write`. */
export function withTenantQuery<T>(tenantId: string, fn: (query: Query) => Promise<T>, opts: { write?: boolean } = {}): Promise<T> {
  return withTenantPg(tenantId, fn, { readOnly: !opts.write });
}

export async function closeEvidencePool() {
  await closeIngestPool();
}

/** ISO 8601 with milliseconds, as JavaScript's toISOString writes it (columns are UTC timestamps). */
export const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A run event with the decision recorded in the same transaction, JSON left as text. */
export type RawEvent = {
  id: string;
  agentId: string;
  runExternalId: string;
  eventKey: string;
  type: string;
  source: string;
  ts: string;
  receivedAt: string;
  payload: string;
  payloadHash: string;
  redacted: string | null;
  isError: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: string | null;
  dId: string | null;
  dAgentId: string | null;
  dRunExternalId: string | null;
  dTool: string | null;
  dOperation: string | null;
  dResource: string | null;
  dActionHash: string | null;
  dArgs: string | null;
  dOutcome: string | null;
  dReasons: string | null;
  dMatchedRules: string | null;
  dShadow: string | null;
  dPolicyVersion: number | null;
  dApprovalId: string | null;
  dCreatedAt: string | null;
};

const EVENT_COLUMNS = `
  e.id, e."agentId", e."runExternalId", e."eventKey", e.type, e.source, ${iso("e.ts")} AS ts, ${iso('e."receivedAt"')} AS "receivedAt",
  e.payload::text AS payload, e."payloadHash", e.redacted::text AS redacted, e."isError", e."inputTokens", e."outputTokens",
  e."costUsd"::text AS "costUsd",
  d.id AS "dId", d."agentId" AS "dAgentId", d."runExternalId" AS "dRunExternalId", d.tool AS "dTool", d.operation AS "dOperation",
  d.resource::text AS "dResource", d."actionHash" AS "dActionHash", d.args::text AS "dArgs", d.outcome::text AS "dOutcome",
  d.reasons::text AS "dReasons", to_jsonb(d."matchedRules")::text AS "dMatchedRules", d.shadow::text AS "dShadow",
  d."policyVersion" AS "dPolicyVersion", d."approvalId" AS "dApprovalId", ${iso('d."createdAt"')} AS "dCreatedAt"`;

const EVENT_JOIN = `FROM run_events e
  LEFT JOIN decisions d ON e.type = 'decision' AND e.source = 'server' AND d."tenantId" = e."tenantId" AND d.id = e."eventKey"`;

/** One keyset page of a tenant's events with after < id <= upTo, in id order. */
export async function eventPage(tenantId: string, after: string, upTo: string, limit: number): Promise<RawEvent[]> {
  return withTenantQuery(tenantId, (q) =>
    q<RawEvent>(
      `SELECT ${EVENT_COLUMNS} ${EVENT_JOIN}
        WHERE e."tenantId" = $1 AND e.id > $2::bigint AND e.id <= $3::bigint ORDER BY e.id LIMIT $4`,
      [tenantId, after, upTo, limit],
    ),
  );
}

/**
 * Iterates pages of `fetch(after)` by id until one comes back short. The next page is
 * fetched while the caller works on the current one (Postgres and Node overlap on two
 * cores); at most two pages are in memory.
 */
export async function* keyset<T extends { id: string }>(fetch: (after: string) => Promise<T[]>, start: string, limit: number) {
  let pending = fetch(start);
  for (;;) {
    const page = await pending;
    if (page.length < limit) {
      if (page.length) yield page;
      return;
    }
    pending = fetch(page[page.length - 1]!.id);
    pending.catch(() => {}); // if the caller stops early (cancel), an abandoned prefetch must not crash the process
    yield page;
  }
}

/** A SQL literal (pg's escapeLiteral): COPY takes no parameters. */
const lit = (value: string) => escapeLiteral(value);
const idLit = (value: string) => {
  if (!/^\d{1,19}$/.test(value)) throw new Error(`not an event id: ${value}`);
  return value;
};

/**
 * The fields of an export row in COPY column order: RawEvent's, as text, but for the
 * three timestamps, which come binary (microseconds since 2000) and are formatted here
 * (to_char cost Postgres more than all the rest of a row).
 */
const EXPORT_FIELDS = {
  id: "e.id::text", agentId: 'e."agentId"', runExternalId: 'e."runExternalId"', receivedAt: 'e."receivedAt"',
  eventKey: 'e."eventKey"', type: "e.type::text", source: "e.source::text", ts: "e.ts", payload: "e.payload::text",
  payloadHash: 'e."payloadHash"', redacted: "e.redacted::text", isError: 'e."isError"::text', inputTokens: 'e."inputTokens"::text',
  outputTokens: 'e."outputTokens"::text', costUsd: 'e."costUsd"::text',
  dId: "d.id", dAgentId: 'd."agentId"', dRunExternalId: 'd."runExternalId"', dTool: "d.tool", dOperation: "d.operation",
  dResource: "d.resource::text", dActionHash: 'd."actionHash"', dArgs: "d.args::text", dOutcome: "d.outcome::text", dReasons: "d.reasons::text",
  dMatchedRules: 'to_jsonb(d."matchedRules")::text', dShadow: "d.shadow::text", dPolicyVersion: 'd."policyVersion"::text',
  dApprovalId: 'd."approvalId"', dCreatedAt: 'd."createdAt"',
} as const satisfies Record<keyof RawEvent, string>;
type Field = keyof typeof EXPORT_FIELDS;
const FIELD_NAMES = Object.keys(EXPORT_FIELDS) as Field[];
const F = Object.fromEntries(FIELD_NAMES.map((name, i) => [name, i])) as Record<Field, number>;
const TIMESTAMPS = [F.ts, F.receivedAt, F.dCreatedAt];
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

const floorDiv = (a: bigint, b: bigint) => (a % b < 0n ? a / b - 1n : a / b);

/** A timestamp column's ISO 8601 text exactly as iso() (to_char 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') writes it. */
export function isoOfMs(ms: number): string {
  const date = new Date(ms);
  const text = date.toISOString();
  const year = date.getUTCFullYear();
  if (year >= 1 && year <= 9999) return text;
  // Years past 9999 (JavaScript writes ±YYYYYY) and BC (year 0 is 1 BC): to_char's YYYY is the year number.
  return `${String(year <= 0 ? 1 - year : year).padStart(4, "0")}${text.slice(text.indexOf("-", 1))}`;
}

/** For each column of events.jsonl / decisions.jsonl (COLUMNS), the COPY field that holds it. */
export const EVENT_LINE_FIELDS: readonly number[] = COLUMNS.events.map(([name]) => F[name]);
export const DECISION_LINE_FIELDS: readonly number[] = COLUMNS.decisions.map(([name]) =>
  name === "timelineEventId" ? F.id : name === "timelineReceivedAt" ? F.receivedAt : F[`d${name[0]!.toUpperCase()}${name.slice(1)}` as Field],
);

/**
 * The export's events as one COPY … TO STDOUT (FORMAT binary): the rows arrive as raw
 * bytes, never as JavaScript strings and row objects (pg's per-row conversion cost more
 * than everything else together); eventRows reads them.
 */
const exportCopySql = (tenantId: string, where: string) => `COPY (
    SELECT ${Object.values(EXPORT_FIELDS).join(", ")}
      FROM run_events e
      -- the same join as EVENT_JOIN, but the decisions index is probed only for server decision events
      LEFT JOIN LATERAL (SELECT * FROM decisions d WHERE e.type = 'decision' AND e.source = 'server' AND d."tenantId" = e."tenantId"
                                                     AND d.id = e."eventKey" OFFSET 0) d ON true
     WHERE e."tenantId" = ${lit(tenantId)} AND ${where}
  ) TO STDOUT (FORMAT binary)`;

/**
 * Collects a COPY … TO STDOUT into one buffer. node-postgres runs any object with
 * `submit` as a query and hands it the protocol messages (its Submittable contract);
 * each CopyData chunk is a view of the parser's buffer, which it reuses: copied at once.
 */
class CopyOut {
  private data: Buffer;
  private length = 0;
  private settled = false;
  readonly done: Promise<Buffer>;
  private resolve!: (data: Buffer) => void;
  private reject!: (error: Error) => void;

  constructor(
    private readonly text: string,
    buffer: Buffer,
  ) {
    this.data = buffer;
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: { query(text: string): void }) {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }) {
    const chunk = message.chunk;
    if (this.length + chunk.length > this.data.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.data.length * 2, this.length + chunk.length));
      this.data.copy(bigger, 0, 0, this.length);
      this.data = bigger;
    }
    chunk.copy(this.data, this.length);
    this.length += chunk.length;
  }

  handleError(error: Error) {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  handleReadyForQuery() {
    if (this.settled) return;
    this.settled = true;
    this.resolve(this.data.subarray(0, this.length));
  }

  handleCommandComplete() {}
  handleRowDescription() {}
  handleDataRow() {}
  handlePortalSuspended() {}
  handleEmptyQuery() {}
  handleCopyInResponse() {
    this.handleError(new Error("COPY FROM is not expected here"));
  }
}

async function copyOut(tenantId: string, sql: string, buffer: Buffer): Promise<Buffer> {
  const copy = new CopyOut(sql, buffer);
  return withTenantPg(
    tenantId,
    async (_sql, client) => {
      void client.query(copy as unknown as pg.QueryConfig);
      return copy.done;
    },
    { readOnly: true },
  );
}

const PAGE_BUFFER = 4 << 20; // a page of 4,000 events is about 3 MB of COPY data

/** One page of an export as COPY data (eventRows); `release` once its rows are written. */
export type CopyPage = { data: Buffer; release(): void };

/**
 * The export's events with after < id <= upTo (a range of idRanges), in id order.
 * `spare`: the export's free page buffers (taken here, given back by `release`), so the
 * few pages in flight reuse a few buffers instead of allocating one per page.
 */
export async function exportEventRange(tenantId: string, [after, upTo]: [string, string], spare: Buffer[]): Promise<CopyPage> {
  const sql = exportCopySql(tenantId, `e.id > ${idLit(after)} AND e.id <= ${idLit(upTo)} ORDER BY e.id`);
  const data = await copyOut(tenantId, sql, spare.pop() ?? Buffer.allocUnsafeSlow(PAGE_BUFFER));
  return { data, release: () => void spare.push(Buffer.from(data.buffer)) }; // allocUnsafeSlow: data.buffer is the whole buffer
}

/** One keyset page of the events received in [from, to) with id > after (the unsealed tail); `last` is its last id. */
export async function exportTailPage(tenantId: string, after: string, limit: number, from: string, to: string): Promise<{ page: CopyPage; last: string | null; rows: number }> {
  const window = `e."receivedAt" >= ${lit(from.replace("Z", ""))}::timestamp AND e."receivedAt" < ${lit(to.replace("Z", ""))}::timestamp`;
  const data = await copyOut(tenantId, exportCopySql(tenantId, `e.id > ${idLit(after)} AND ${window} ORDER BY e.id LIMIT ${Math.floor(limit)}`), Buffer.allocUnsafeSlow(1 << 16));
  let last: string | null = null;
  let rows = 0;
  for (const row of eventRows(data)) {
    last = row.id;
    rows++;
  }
  return { page: { data, release() {} }, last, rows };
}

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/**
 * One row of a page, read in place: `start`/`end` of each field's bytes in `data`, or in
 * `stamps` for the formatted timestamps (start -1: NULL). The same object moves through the page (eventRows); read what is
 * needed before asking for the next row.
 */
export class CopyRow {
  readonly start = new Int32Array(FIELD_NAMES.length);
  readonly end = new Int32Array(FIELD_NAMES.length);
  /** Fields whose bytes are in `stamps` (the formatted timestamps), not in `data`. */
  readonly inStamps = new Uint8Array(FIELD_NAMES.length);
  readonly stamps = Buffer.alloc(32 * TIMESTAMPS.length);
  private readonly lastDay: number[] = TIMESTAMPS.map(() => NaN);
  private readonly dateLength: number[] = TIMESTAMPS.map(() => 0);

  constructor(readonly data: Buffer) {}

  /** Formats this row's binary timestamps into `stamps` (the date part only when it changes from the previous row's). */
  formatTimestamps() {
    const out = this.stamps;
    for (let k = 0; k < TIMESTAMPS.length; k++) {
      const i = TIMESTAMPS[k]!;
      if (this.start[i]! < 0) continue;
      const s = this.start[i]!;
      const high = this.data.readInt32BE(s);
      const ms =
        PG_EPOCH_MS +
        (high >= -0x100000 && high < 0x100000 // |µs| < 2^52: exact as a double
          ? Math.floor((high * 4294967296 + this.data.readUInt32BE(s + 4)) / 1000)
          : Number(floorDiv(this.data.readBigInt64BE(s), 1000n)));
      const day = Math.floor(ms / 86_400_000);
      let p = 32 * k;
      if (day !== this.lastDay[k]) {
        this.lastDay[k] = day;
        const date = isoOfMs(day * 86_400_000);
        this.dateLength[k] = out.write(date.slice(0, date.indexOf("T")), p, "latin1");
      }
      p += this.dateLength[k]!;
      let t = ms - day * 86_400_000;
      const milli = t % 1000;
      t = (t - milli) / 1000;
      const sec = t % 60;
      t = (t - sec) / 60;
      const min = t % 60;
      const hour = (t - min) / 60;
      out[p++] = 0x54; // T
      out[p++] = 0x30 + ((hour / 10) | 0);
      out[p++] = 0x30 + (hour % 10);
      out[p++] = 0x3a;
      out[p++] = 0x30 + ((min / 10) | 0);
      out[p++] = 0x30 + (min % 10);
      out[p++] = 0x3a;
      out[p++] = 0x30 + ((sec / 10) | 0);
      out[p++] = 0x30 + (sec % 10);
      out[p++] = 0x2e;
      out[p++] = 0x30 + ((milli / 100) | 0);
      out[p++] = 0x30 + (((milli / 10) | 0) % 10);
      out[p++] = 0x30 + (milli % 10);
      out[p++] = 0x5a; // Z
      this.start[i] = 32 * k;
      this.end[i] = p;
      this.inStamps[i] = 1;
    }
  }

  text(i: number): string | null {
    if (this.start[i]! < 0) return null;
    return this.inStamps[i] ? this.stamps.toString("latin1", this.start[i], this.end[i]) : this.data.toString("utf8", this.start[i], this.end[i]);
  }
  private number(i: number): number | null {
    return this.start[i]! < 0 ? null : Number(this.data.toString("latin1", this.start[i], this.end[i]));
  }
  get id() {
    return this.text(F.id)!;
  }
  get receivedAt() {
    return this.text(F.receivedAt)!;
  }
  get agentId() {
    return this.text(F.agentId)!;
  }
  get runExternalId() {
    return this.text(F.runExternalId)!;
  }
  get hasDecision() {
    return this.start[F.dId]! >= 0;
  }
  get dAgentId() {
    return this.text(F.dAgentId)!;
  }
  get dRunExternalId() {
    return this.text(F.dRunExternalId)!;
  }

  /** The row as eventPage returns it (strings decoded): for CSV and for leaves. */
  raw(): RawEvent {
    const t = (name: Field) => this.text(F[name]);
    return {
      id: t("id")!, agentId: t("agentId")!, runExternalId: t("runExternalId")!, receivedAt: t("receivedAt")!, eventKey: t("eventKey")!,
      type: t("type")!, source: t("source")!, ts: t("ts")!, payload: t("payload")!, payloadHash: t("payloadHash")!, redacted: t("redacted"),
      isError: t("isError") === "true", inputTokens: this.number(F.inputTokens), outputTokens: this.number(F.outputTokens), costUsd: t("costUsd"),
      dId: t("dId"), dAgentId: t("dAgentId"), dRunExternalId: t("dRunExternalId"), dTool: t("dTool"), dOperation: t("dOperation"),
      dResource: t("dResource"), dActionHash: t("dActionHash"), dArgs: t("dArgs"), dOutcome: t("dOutcome"), dReasons: t("dReasons"),
      dMatchedRules: t("dMatchedRules"), dShadow: t("dShadow"), dPolicyVersion: this.number(F.dPolicyVersion), dApprovalId: t("dApprovalId"),
      dCreatedAt: t("dCreatedAt"),
    };
  }
}

/** The rows of a page, parsed from COPY's binary format (a header, then per row a field count and length-prefixed fields). */
export function* eventRows(data: Buffer): Generator<CopyRow> {
  if (data.length < 19 || !data.subarray(0, 11).equals(SIGNATURE)) throw new Error("COPY: unexpected binary header");
  const row = new CopyRow(data);
  const { start, end } = row;
  const fields = start.length;
  let o = 19 + data.readInt32BE(15);
  for (;;) {
    const n = data.readInt16BE(o);
    o += 2;
    if (n === -1) return;
    if (n !== fields) throw new Error(`COPY: ${n} fields, expected ${fields}`);
    for (let i = 0; i < fields; i++) {
      const length = data.readInt32BE(o);
      o += 4;
      row.inStamps[i] = 0;
      if (length < 0) start[i] = -1;
      else {
        start[i] = o;
        end[i] = o += length;
      }
    }
    row.formatTimestamps();
    yield row;
  }
}

/**
 * The id ranges (after, upTo] of consecutive pages of a tenant's events with
 * start < id <= end, `page` rows each (the last one shorter, possibly empty), in order.
 * The boundaries come from the (tenantId, id) index, 16 pages per query, so the pages
 * themselves can be fetched concurrently (fetchInOrder).
 */
export async function* idRanges(tenantId: string, start: string, end: string, page: number): AsyncGenerator<[string, string]> {
  const PER_QUERY = 16;
  let after = start;
  for (;;) {
    const bounds = await withTenantQuery(tenantId, (q) =>
      q<{ id: string }>(
        `SELECT id FROM (SELECT e.id, row_number() OVER (ORDER BY e.id) AS n FROM run_events e
                          WHERE e."tenantId" = $1 AND e.id > $2::bigint AND e.id <= $3::bigint ORDER BY e.id LIMIT $4) x
          WHERE n % $5 = 0 ORDER BY id`,
        [tenantId, after, end, page * PER_QUERY, page],
      ),
    );
    for (const { id } of bounds) {
      yield [after, id];
      after = id;
    }
    if (bounds.length < PER_QUERY) {
      if (after !== end) yield [after, end];
      return;
    }
  }
}

/**
 * `fetch(item)` for each item in order, up to `ahead` fetches in flight (Postgres works
 * on the next pages on other connections, other cores, while the caller writes this one);
 * yields the results in order, so at most `ahead` + 1 pages are in memory.
 */
export async function* fetchInOrder<I, T>(items: AsyncIterable<I>, fetch: (item: I) => Promise<T>, ahead: number): AsyncGenerator<T> {
  const iterator = items[Symbol.asyncIterator]();
  const queue: Promise<T>[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && queue.length < ahead) {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else {
          const pending = fetch(next.value);
          pending.catch(() => {}); // if the caller stops early (cancel), an abandoned fetch must not crash the process
          queue.push(pending);
        }
      }
      const pending = queue.shift();
      if (!pending) return;
      yield await pending;
    }
  } finally {
    await iterator.return?.(undefined);
  }
}
