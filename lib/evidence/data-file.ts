import { createHash } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import type { ColumnType } from "./format";

const CHUNK = 1 << 20; // bytes written (and hashed) at a time
const FULL = CHUNK - 4096; // a chunk this full is written
/** Resolves on the stream's next "drain" (or rejects on "error"), removing both listeners. */
export function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      out.removeListener("error", onError);
      resolve();
    };
    const onError = (error: Error) => {
      out.removeListener("drain", onDrain);
      reject(error);
    };
    out.once("drain", onDrain);
    out.once("error", onError);
  });
}

/**
 * A file written in 1 MiB chunks with backpressure, hashed (SHA-256) and counted as it
 * goes. Text and bytes are copied into the current chunk (no per-line buffers or joins);
 * `add` returns a promise only when a chunk was written; await it.
 */
export class HashedFile {
  private readonly out: WriteStream;
  private readonly hash = createHash("sha256");
  protected chunk: Buffer = Buffer.allocUnsafeSlow(CHUNK);
  protected used = 0;
  private readonly spare: Buffer[] = [];
  bytes = 0;
  rows = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: "wx", mode: 0o600 });
  }

  add(text: string, row = true): Promise<void> | undefined {
    if (row) this.rows++;
    // At most 3 bytes of UTF-8 per UTF-16 unit: if that fits, write in place.
    if (text.length * 3 <= CHUNK - this.used) {
      this.used += this.chunk.write(text, this.used, "utf8");
      return this.used > FULL ? this.flush() : undefined;
    }
    return this.addBytes(Buffer.from(text, "utf8"));
  }

  /** Appends bytes (copied at once: `bytes` may be reused afterwards). */
  private addBytes(bytes: Buffer): Promise<void> | undefined {
    if (bytes.length <= CHUNK - this.used) {
      bytes.copy(this.chunk, this.used);
      this.used += bytes.length;
      return this.used > FULL ? this.flush() : undefined;
    }
    return (async () => {
      if (this.used) await this.flush();
      if (bytes.length <= CHUNK) {
        bytes.copy(this.chunk, 0);
        this.used = bytes.length;
      } else await this.write(Buffer.from(bytes));
    })();
  }

  protected flush(): Promise<void> | undefined {
    const full = this.chunk.subarray(0, this.used);
    this.chunk = this.spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
    this.used = 0;
    return this.write(full, () => this.spare.length < 2 && this.spare.push(Buffer.from(full.buffer)));
  }

  private write(bytes: Buffer, written?: () => void): Promise<void> | undefined {
    this.hash.update(bytes);
    this.bytes += bytes.length;
    return this.out.write(bytes, (error) => !error && written?.()) ? undefined : drained(this.out);
  }

  async close(): Promise<{ sha256: string; bytes: number; rows: number }> {
    if (this.used) await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return { sha256: this.hash.digest("hex"), bytes: this.bytes, rows: this.rows };
  }

  destroy() {
    // Writes still in flight complete with ERR_STREAM_DESTROYED: the file is deleted anyway.
    this.out.on("error", () => {});
    this.out.destroy();
  }
}

/** A value of a JSON column, already serialized (Postgres' text of a jsonb), or null. */
export type JsonText = string | null;
export type Cell = string | number | boolean | null;

/** CSV cell: null → empty (unquoted); strings quoted when empty or when they need it. */
function csvCell(type: ColumnType, value: Cell): string {
  if (value === null || value === undefined) return "";
  if (type === "number" || type === "boolean") return String(value);
  const text = String(value);
  return text === "" || /[",\r\n]/.test(text) || text.trim() !== text ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A data file of the bundle in JSONL (one object per line, keys in column order) or CSV
 * (header row, RFC 4180 quoting, typed columns listed in the manifest). Values of "json"
 * columns are passed as JSON text.
 */
export class DataFile extends HashedFile {
  private readonly keys: string[];
  private readonly keyBytes: Buffer[];
  private readonly quoted: boolean[];

  constructor(
    path: string,
    readonly format: "jsonl" | "csv",
    readonly columns: readonly (readonly [string, ColumnType])[],
  ) {
    super(path);
    this.keys = columns.map(([name], i) => `${i ? "," : "{"}${JSON.stringify(name)}:`);
    this.keyBytes = this.keys.map((key) => Buffer.from(key, "utf8"));
    this.quoted = columns.map(([, type]) => type === "string");
    if (format === "csv") void this.add(`${columns.map(([name]) => name).join(",")}\n`, false);
  }

  row(values: Cell[]): Promise<void> | undefined {
    let line = "";
    if (this.format === "jsonl") {
      for (let i = 0; i < this.columns.length; i++) {
        const v = values[i];
        line += this.keys[i]! + (this.columns[i]![1] === "json" ? (v ?? "null") : JSON.stringify(v ?? null));
      }
      line += "}\n";
    } else {
      for (let i = 0; i < this.columns.length; i++) line += (i ? "," : "") + csvCell(this.columns[i]![1], values[i] ?? null);
      line += "\n";
    }
    return this.add(line);
  }

  /**
   * A JSONL row from the bytes of each column's text (ByteRow), copied without decoding: the same bytes row() writes for the decoded values
   * (strings escaped as JSON.stringify escapes them, JSON, numbers and booleans as their
   * text). `fields[i]` is the field of column i.
   */
  rowFromBytes(row: ByteRow, fields: readonly number[]): Promise<void> | undefined {
    const { start, end } = row;
    let need = 2;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      need += this.keyBytes[i]!.length + (start[f]! < 0 ? 4 : 6 * (end[f]! - start[f]!) + 2);
    }
    if (this.format !== "jsonl" || need > CHUNK) {
      return this.row(fields.map((f, i) => {
        const text = row.text(f);
        return text === null ? null : decodeCell(this.columns[i]![1], text);
      }));
    }
    if (need > CHUNK - this.used) {
      const flushed = this.flush();
      if (flushed) return flushed.then(() => this.rowFromBytes(row, fields));
    }
    const out = this.chunk;
    let p = this.used;
    for (let i = 0; i < fields.length; i++) {
      const key = this.keyBytes[i]!;
      for (let k = 0; k < key.length; k++) out[p++] = key[k]!;
      const f = fields[i]!;
      const s = start[f]!;
      if (s < 0) {
        out[p++] = 0x6e; // null
        out[p++] = 0x75;
        out[p++] = 0x6c;
        out[p++] = 0x6c;
        continue;
      }
      const src = row.inStamps[f] ? row.stamps : row.data;
      const e = end[f]!;
      if (!this.quoted[i]) {
        if (e - s > 64) p += src.copy(out, p, s, e);
        else for (let k = s; k < e; k++) out[p++] = src[k]!;
      } else {
        out[p++] = 0x22;
        p = escapeJsonInto(src, s, e, out, p);
        out[p++] = 0x22;
      }
    }
    out[p++] = 0x7d;
    out[p++] = 0x0a;
    this.used = p;
    this.rows++;
    return this.used > FULL ? this.flush() : undefined;
  }
}

/** A row's fields as bytes (lib/evidence/pg.ts CopyRow): field f is src[start[f], end[f]) with src `stamps` when inStamps[f], else `data`; start -1: NULL. */
export type ByteRow = {
  data: Buffer;
  stamps: Buffer;
  start: Int32Array;
  end: Int32Array;
  inStamps: Uint8Array;
  text(f: number): string | null;
};

/** A cell's value from its text (for the rare row too long for rowFromBytes' fast path). */
function decodeCell(type: ColumnType, text: string): Cell {
  if (type === "number") return Number(text);
  if (type === "boolean") return text === "true";
  return text;
}

const HEX = Buffer.from("0123456789abcdef", "latin1");

/** UTF-8 bytes src[s, e) into out at p as the inside of a JSON string, escaped exactly as JSON.stringify does; returns the new p. */
export function escapeJsonInto(src: Buffer, s: number, e: number, out: Buffer, p: number): number {
  for (let i = s; i < e; i++) {
    const b = src[i]!;
    if (b >= 0x20 && b !== 0x22 && b !== 0x5c) {
      out[p++] = b;
      continue;
    }
    out[p++] = 0x5c;
    if (b === 0x22 || b === 0x5c) out[p++] = b;
    else if (b === 0x08) out[p++] = 0x62; // \b
    else if (b === 0x09) out[p++] = 0x74; // \t
    else if (b === 0x0a) out[p++] = 0x6e; // \n
    else if (b === 0x0c) out[p++] = 0x66; // \f
    else if (b === 0x0d) out[p++] = 0x72; // \r
    else {
      out[p++] = 0x75; // \u00XX
      out[p++] = 0x30;
      out[p++] = 0x30;
      out[p++] = HEX[b >> 4]!;
      out[p++] = HEX[b & 15]!;
    }
  }
  return p;
}
