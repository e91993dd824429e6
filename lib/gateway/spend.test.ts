import { describe, expect, it } from "vitest";
import { spendOf } from "./spend";

describe("spendOf", () => {
  const seen = { args: { amount_cents: 1250, nested: { usd: "3.5" } }, response: { data: { amount: 99 }, bad: -1, text: "lots", arr: [1] } };

  it("reads an argument or a dotted response field, in cents or dollars", () => {
    expect(spendOf({ source: "args", field: "amount_cents", unit: "cents" }, seen)).toBe(12.5);
    expect(spendOf({ source: "args", field: "nested.usd", unit: "usd" }, seen)).toBe(3.5);
    expect(spendOf({ source: "response", field: "data.amount", unit: "usd" }, seen)).toBe(99);
  });

  it("is null without a mapping, for a missing, negative, non-numeric or absurd value, and never walks the prototype", () => {
    expect(spendOf(null, seen)).toBeNull();
    expect(spendOf({ source: "response", field: "data.missing", unit: "usd" }, seen)).toBeNull();
    expect(spendOf({ source: "response", field: "bad", unit: "usd" }, seen)).toBeNull();
    expect(spendOf({ source: "response", field: "text", unit: "usd" }, seen)).toBeNull();
    expect(spendOf({ source: "response", field: "arr.0", unit: "usd" }, seen)).toBeNull();
    expect(spendOf({ source: "response", field: "constructor", unit: "usd" }, seen)).toBeNull();
    expect(spendOf({ source: "args", field: "x", unit: "usd" }, { args: { x: 1e12 }, response: null })).toBeNull();
    expect(spendOf({ source: "response", field: "x", unit: "usd" }, { args: {}, response: "not an object" })).toBeNull();
  });
});
