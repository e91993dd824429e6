import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONSOLE_ROUTES_FILE, consoleRoutesSource } from "./console-routes";

describe("components/console-routes.ts", () => {
  it("names every console route module (run `npm run gen:console-routes` when this fails)", () => {
    expect(readFileSync(CONSOLE_ROUTES_FILE, "utf8")).toBe(consoleRoutesSource());
  });
});
