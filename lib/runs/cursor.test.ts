import { describe, expect, it } from "vitest";
import { auditQuery } from "@/lib/audit/list-audit-entries";
import { decodeCursor, encodeCursor } from "./cursor";
import { listRuns, runsQuery } from "./list-runs";

const raw = (text: string) => Buffer.from(text).toString("base64url");

describe("decodeCursor", () => {
  it("round-trips a cursor it issued", () => {
    const c = { ts: "2026-12-03T07:00:00.123Z", id: "42" };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it.each([
    ["an id past Postgres bigint", "2026-12-03T07:00:00.000Z|9999999999999999999"],
    ["month 13", "2026-13-03T07:00:00.000Z|1"],
    ["day 32", "2026-01-32T07:00:00.000Z|1"],
    ["year 0", "0000-01-01T00:00:00.000Z|1"],
    ["hour 25", "2026-01-01T25:00:00.000Z|1"],
    ["a NUL", "2026-01-01T00:00:00.000Z|1\u0000"],
  ])("refuses %s with validation_failed, never letting it reach Postgres", (_, text) => {
    expect(() => decodeCursor(raw(text))).toThrow(expect.objectContaining({ code: "validation_failed" }));
  });
});

describe("the console's cursors and time filters", () => {
  it("refuses audit cursors past Postgres bigint and years Postgres cannot store", () => {
    expect(auditQuery.safeParse({ before: "9999999999999999999" }).success).toBe(false);
    expect(auditQuery.safeParse({ before: "9223372036854775807" }).success).toBe(true);
    expect(auditQuery.safeParse({ from: "0000-01-01T00:00:00Z" }).success).toBe(false);
    expect(runsQuery.safeParse({ to: "0001-01-01T00:00:00+14:00" }).success).toBe(false); // year 0 in UTC
    expect(runsQuery.safeParse({ from: "2026-12-03T07:00:00Z" }).success).toBe(true);
  });

  it("refuses a runs cursor with month 13, year 0 or a NUL in its id before any query", async () => {
    for (const text of ["2026-13-01T00:00:00.000Z|run_1", "0000-01-01T00:00:00.000Z|run_1", "2026-01-01T00:00:00.000Z|run\u0000"]) {
      const query = runsQuery.parse({ before: raw(text) });
      await expect(listRuns({ tenantId: "ten_none", query })).rejects.toMatchObject({ code: "validation_failed" });
    }
  });
});
