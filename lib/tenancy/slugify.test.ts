import { describe, expect, it } from "vitest";
import { slugify } from "./create-tenant";

describe("slugify", () => {
  it("makes URL-safe slugs", () => {
    expect(slugify("Acme Corp, Inc.")).toBe("acme-corp-inc");
    expect(slugify("  Zürich Öl  ")).toBe("zurich-ol");
  });
  it("falls back when nothing usable remains", () => {
    expect(slugify("!!")).toBe("tenant");
  });
});
