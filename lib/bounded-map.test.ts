import { afterEach, describe, expect, it, vi } from "vitest";
import { BoundedMap } from "./bounded-map";

afterEach(() => vi.useRealTimers());

describe("BoundedMap", () => {
  it("forgets the least recently used entry past its size", () => {
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.get("a")).toBe(1); // a is now newer than b
    map.set("c", 3);
    expect([map.get("a"), map.get("b"), map.get("c"), map.size]).toEqual([1, undefined, 3, 2]);
    map.set("c", 4); // replacing an entry does not evict another
    expect([map.get("a"), map.get("c"), map.size]).toEqual([1, 4, 2]);
  });

  it("forgets an entry at its time to live, or at the time set gave it", () => {
    vi.useFakeTimers({ now: 0 });
    const map = new BoundedMap<string, string>(10, 1_000);
    map.set("ttl", "x");
    map.set("short", "y", 100);
    vi.setSystemTime(99);
    expect([map.get("ttl"), map.get("short")]).toEqual(["x", "y"]);
    vi.setSystemTime(100);
    expect([map.get("ttl"), map.get("short")]).toEqual(["x", undefined]);
    vi.setSystemTime(1_000);
    expect(map.get("ttl")).toBeUndefined();
    expect(map.size).toBe(0);
  });
});
