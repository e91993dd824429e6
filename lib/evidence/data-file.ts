import { createHash } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import type { ColumnType } from "./format";

const FLUSH_AT = 1 << 20;

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
 * A file written in large chunks with backpressure, hashed (SHA-256) and counted as it
 * goes. `add` returns a promise only when the buffer was flushed; await it.
 */
export class HashedFile {
  private readonly out: WriteStream;
  private readonly hash = createHash("sha256");
  private buffer: string[] = [];
  private buffered = 0;
  bytes = 0;
  rows = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: "wx", mode: 0o600 });
  }

  add(text: string, row = true): Promise<void> | undefined {
    this.buffer.push(text);
    this.buffered += text.length;
    if (row) this.rows++;
    return this.buffered >= FLUSH_AT ? this.flush() : undefined;
  }

  private flush(): Promise<void> {
    const chunk = Buffer.from(this.buffer.join(""), "utf8");
    this.buffer = [];
    this.buffered = 0;
    this.hash.update(chunk);
    this.bytes += chunk.length;
    return this.out.write(chunk) ? Promise.resolve() : drained(this.out);
  }

  async close(): Promise<{ sha256: string; bytes: number; rows: number }> {
    if (this.buffered) await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return { sha256: this.hash.digest("hex"), bytes: this.bytes, rows: this.rows };
  }

  destroy() {
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

  constructor(
    path: string,
    readonly format: "jsonl" | "csv",
    readonly columns: readonly (readonly [string, ColumnType])[],
  ) {
    super(path);
    this.keys = columns.map(([name], i) => `${i ? "," : "{"}${JSON.stringify(name)}:`);
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
}
