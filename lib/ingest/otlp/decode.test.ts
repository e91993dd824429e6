import { describe, expect, it } from "vitest";
import { decodeJson } from "./decode";

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
});
