import { describe, expect, it } from "vitest";
import { defaultQuotaName, quotaInput } from "./schemas";
import { counterExpiry, windowBucket } from "./windows";

describe("quota windows", () => {
  const at = new Date("2026-02-28T23:59:30.500Z");

  it("are fixed UTC periods that reset at the next boundary", () => {
    expect(windowBucket("minute", at, "r").resetsAt?.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(windowBucket("hour", at, "r").resetsAt?.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(windowBucket("day", at, "r").resetsAt?.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(windowBucket("month", at, "r").resetsAt?.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(windowBucket("month", new Date("2026-12-31T12:00:00Z"), "r").resetsAt?.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(windowBucket("minute", new Date("2026-02-28T10:15:59.999Z"), "r").resetsAt?.toISOString()).toBe("2026-02-28T10:16:00.000Z");
  });

  it("put two moments of one period in one bucket and the next period in another", () => {
    const a = windowBucket("hour", new Date("2026-05-01T10:00:00Z"), "r").bucket;
    expect(windowBucket("hour", new Date("2026-05-01T10:59:59.999Z"), "r").bucket).toBe(a);
    expect(windowBucket("hour", new Date("2026-05-01T11:00:00Z"), "r").bucket).not.toBe(a);
    expect(windowBucket("month", new Date("2026-05-01T00:00:00Z"), "r").bucket).toBe(windowBucket("month", new Date("2026-05-31T23:59:59Z"), "r").bucket);
  });

  it("count a run as its own window that never resets by time", () => {
    expect(windowBucket("run", at, "run_42")).toEqual({ bucket: "run:run_42", resetsAt: null });
    expect(counterExpiry(null, at)).toBe(at.getTime() + 7 * 86_400_000);
    expect(counterExpiry(new Date("2026-03-01T00:00:00Z"), at)).toBe(Date.parse("2026-03-01T01:00:00Z"));
  });
});

describe("quota input", () => {
  it("names limits the way the decision answer shows them", () => {
    expect(defaultQuotaName({ metric: "writes", window: "day" })).toBe("writes_per_day");
    expect(defaultQuotaName({ metric: "operation_calls", window: "hour", operation: "refunds.create" })).toBe("refunds_create_per_hour");
  });

  it("refuses combinations that cannot be enforced", () => {
    const problems = (v: unknown) => (quotaInput.safeParse(v).error?.issues ?? []).map((i) => i.path.join("."));
    expect(problems({ scope: "group", metric: "writes", window: "day", limit: 5 })).toEqual(["scopeRef"]);
    expect(problems({ scope: "tenant", metric: "operation_calls", window: "day", limit: 5 })).toEqual(["operation"]);
    expect(problems({ scope: "tenant", metric: "run_seconds", window: "day", limit: 5 })).toEqual(["window"]);
    expect(problems({ scope: "tenant", metric: "writes", window: "day", limit: -1 })).toEqual(["limit"]);
    expect(problems({ scope: "tenant", metric: "writes", window: "day", limit: 5, onExceed: "approval" })).toEqual([]);
  });
});
