import { describe, expect, it } from "vitest";
import { OtlpDecodeError, decodeJson } from "./decode";

describe("decodeJson", () => {
  it("keeps attributes named __proto__ as attributes, at the top and inside a kvlist", () => {
    const [span] = decodeJson({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "0123456789abcdef0123456789abcdef",
                  spanId: "0123456789abcdef",
                  name: "tool",
                  startTimeUnixNano: "1",
                  endTimeUnixNano: "2",
                  attributes: [
                    { key: "__proto__", value: { stringValue: "kept" } },
                    { key: "map", value: { kvlistValue: { values: [{ key: "__proto__", value: { kvlistValue: { values: [{ key: "x", value: { intValue: "3" } }] } } }] } } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(Object.getOwnPropertyDescriptor(span!.attributes, "__proto__")?.value).toBe("kept");
    const map = span!.attributes.map as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(map, "__proto__")?.value).toEqual({ x: 3 });
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  });

  it("refuses attribute values nested 10,000 deep with a decode error, not a stack overflow", () => {
    const deep = JSON.parse(`${'{"arrayValue":{"values":['.repeat(10_000)}{"intValue":"1"}${"]}}".repeat(10_000)}`) as unknown;
    const body = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "0123456789abcdef0123456789abcdef", spanId: "0123456789abcdef", name: "x", startTimeUnixNano: "1", endTimeUnixNano: "2", attributes: [{ key: "deep", value: deep }] }] }] }] };
    expect(() => decodeJson(body)).toThrow(OtlpDecodeError);
    expect(() => decodeJson(body)).toThrow(/nested deeper than/);
  });
});
