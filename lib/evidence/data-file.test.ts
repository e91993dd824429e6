/**
 * The export copies in-scope rows from Postgres' bytes into the data files without
 * decoding them (DataFile.rowFromBytes, CopyRow): these properties prove it writes exactly
 * the bytes DataFile.row writes for the decoded values, so the bundle does not depend on
 * which path wrote a row.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { DataFile, escapeJsonInto, type ByteRow, type Cell } from "./data-file";
import { COLUMNS, type ColumnType } from "./format";
import { CopyRow, isoOfMs } from "./pg";

const dir = mkdtempSync(path.join(tmpdir(), "gh-data-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// Valid UTF-8 text, as Postgres stores it: any code point but lone surrogates, plus ASCII control characters.
const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.constantFrom("", '"', "\\", "\u2028\u2029", "\u007f", "a\u0000b", "😀 \t\n\r\b\f"),
);
const value = (type: ColumnType): fc.Arbitrary<Cell> =>
  type === "string" ? text : type === "number" ? fc.integer() : type === "boolean" ? fc.boolean() : fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null");
const cell = (type: ColumnType): fc.Arbitrary<Cell> => fc.option(value(type), { nil: null });

/** A ByteRow holding `values` the way CopyRow holds a row (each column's text as bytes; null: start -1). */
function byteRow(columns: readonly (readonly [string, ColumnType])[], values: Cell[]): ByteRow {
  const parts = values.map((v) => (v === null ? null : Buffer.from(String(v), "utf8")));
  const data = Buffer.concat(parts.flatMap((p) => (p === null ? [] : [p])));
  const start = new Int32Array(columns.length);
  const end = new Int32Array(columns.length);
  let o = 0;
  parts.forEach((p, i) => {
    if (p === null) start[i] = -1;
    else {
      start[i] = o;
      end[i] = o += p.length;
    }
  });
  return { data, stamps: Buffer.alloc(0), start, end, inStamps: new Uint8Array(columns.length), text: (f) => (start[f]! < 0 ? null : data.toString("utf8", start[f], end[f])) };
}

async function written(write: (file: DataFile) => Promise<void>, columns: readonly (readonly [string, ColumnType])[]) {
  const file = new DataFile(path.join(dir, `f${n++}.jsonl`), "jsonl", columns);
  await write(file);
  const closed = await file.close();
  return { content: readFileSync(file.path), ...closed };
}

describe("rows copied from Postgres' bytes", () => {
  it("escapes strings exactly as JSON.stringify does", () => {
    fc.assert(
      fc.property(text, (s) => {
        const src = Buffer.from(s, "utf8");
        const out = Buffer.alloc(src.length * 6);
        expect(out.toString("utf8", 0, escapeJsonInto(src, 0, src.length, out, 0))).toBe(JSON.stringify(s).slice(1, -1));
      }),
      { numRuns: 2000 },
    );
  });

  for (const name of ["events", "decisions"] as const) {
    it(`${name}.jsonl: rowFromBytes writes the bytes row() writes, with the same hash and counts`, async () => {
      const columns = COLUMNS[name];
      const rows = fc.array(fc.tuple(...columns.map(([, type]) => cell(type))), { minLength: 1, maxLength: 30 });
      await fc.assert(
        fc.asyncProperty(rows, async (values) => {
          const fields = columns.map((_, i) => i);
          const viaRow = await written(async (f) => {
            for (const v of values) await f.row(v);
          }, columns);
          const viaBytes = await written(async (f) => {
            for (const v of values) await f.rowFromBytes(byteRow(columns, v), fields);
          }, columns);
          expect(viaBytes.content.equals(viaRow.content)).toBe(true);
          expect(viaBytes).toMatchObject({ sha256: viaRow.sha256, rows: viaRow.rows, bytes: viaRow.bytes });
        }),
        { numRuns: 60 },
      );
    });
  }

  it("a long file: rows across many 1 MiB chunks, and a row longer than a chunk", async () => {
    const columns = COLUMNS.events;
    const fields = columns.map((_, i) => i);
    const row = (i: number): Cell[] => [
      String(i), "agent", `run_${i}`, `evt_${i}`, "tool.call", "agent", "2026-11-21T04:04:49.938Z", "2026-11-21T04:04:49.938Z",
      JSON.stringify({ i, pad: "x".repeat(i === 1500 ? 3 << 20 : i % 700) }), "ab".repeat(32), null, i % 3 === 0, i, null, "0.027000",
    ];
    const viaRow = await written(async (f) => {
      for (let i = 0; i < 3000; i++) await f.row(row(i));
    }, columns);
    const viaBytes = await written(async (f) => {
      for (let i = 0; i < 3000; i++) await f.rowFromBytes(byteRow(columns, row(i)), fields);
    }, columns);
    expect(viaRow.content.length).toBeGreaterThan(4 << 20);
    expect(viaBytes.content.equals(viaRow.content)).toBe(true);
    expect(viaBytes.sha256).toBe(viaRow.sha256);
  });
});

describe("timestamps read from COPY's binary format", () => {
  const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
  const format = (micros: bigint) => {
    const row = new CopyRow(Buffer.alloc(8));
    row.data.writeBigInt64BE(micros, 0);
    row.start.fill(-1);
    const ts = 7; // the field of e.ts (lib/evidence/pg.ts EXPORT_FIELDS)
    row.start[ts] = 0;
    row.end[ts] = 8;
    row.formatTimestamps();
    return row.text(ts);
  };

  it("are written as to_char(…, 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') writes them: milliseconds truncated", () => {
    const ms = fc.integer({ min: -62135596800000, max: 253402300799999 }); // years 1 to 9999
    fc.assert(
      fc.property(ms, fc.integer({ min: 0, max: 999 }), (t, extra) => {
        expect(format(BigInt(t - PG_EPOCH_MS) * 1000n + BigInt(extra))).toBe(new Date(t).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it("years past 9999 and BC are written as to_char writes them (checked against Postgres 15)", () => {
    const bc = (year: number, month: number, day: number) => {
      const d = new Date(0);
      d.setUTCFullYear(year, month, day);
      return d.getTime();
    };
    expect(isoOfMs(Date.UTC(10000, 0, 1))).toBe("10000-01-01T00:00:00.000Z");
    expect(isoOfMs(bc(0, 0, 1))).toBe("0001-01-01T00:00:00.000Z"); // '0001-01-01 BC'
    expect(isoOfMs(bc(-1, 11, 31))).toBe("0002-12-31T00:00:00.000Z"); // '0002-12-31 BC'
    expect(format(BigInt(Date.UTC(10000, 0, 1, 12, 30, 15, 250) - PG_EPOCH_MS) * 1000n + 999n)).toBe("10000-01-01T12:30:15.250Z");
  });
});
