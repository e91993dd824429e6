import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor";

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
