import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./safe-callback";

describe("safeCallbackPath", () => {
  it("keeps same-origin paths with their query and fragment", () => {
    expect(safeCallbackPath("/t/acme")).toBe("/t/acme");
    expect(safeCallbackPath("/invite/abc?x=1#top")).toBe("/invite/abc?x=1#top");
    expect(safeCallbackPath("/t/acme/../acme/runs")).toBe("/t/acme/runs");
  });

  it.each([
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example", // still encoded: stays a path on this site
    "/\\evil.example/path",
    "/\t/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    "/.//evil.example",
    "https://evil.example",
    "https:evil.example",
    "http://gatehouse.invalid@evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
  ])("refuses %j", (raw) => {
    const safe = safeCallbackPath(raw);
    // Whatever comes back must resolve to this origin, exactly as a browser would read it.
    expect(new URL(safe, "https://console.example").origin).toBe("https://console.example");
    expect(safe.startsWith("/")).toBe(true);
    expect(safe).not.toMatch(/^\/[/\\]/);
  });

  it("sends foreign, protocol-relative and script URLs to /", () => {
    for (const raw of ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example", "javascript:alert(1)", "/.//evil.example", undefined, ""]) {
      expect(safeCallbackPath(raw)).toBe("/");
    }
  });
});
