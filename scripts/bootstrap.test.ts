import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { chromiumPlan } from "./bootstrap.mjs";

describe("npm test sets up Chromium for the e2e stage", () => {
  it("installs Debian's Chromium when root, else names the one command to run", () => {
    expect(chromiumPlan({ present: true, root: false })).toEqual({ action: "none" });
    expect(chromiumPlan({ present: false, root: true })).toEqual({ action: "install" });
    const stop = chromiumPlan({ present: false, root: false });
    expect(stop.action).toBe("stop");
    expect(stop.message).toContain("sudo apt-get install -y chromium");
  });

  it("never installs over a CHROMIUM_PATH that names a missing browser", () => {
    expect(chromiumPlan({ path: "/opt/none/chrome", present: false, root: true })).toMatchObject({ action: "stop" });
  });

  it("stops before any stage with the message when Chromium is missing", () => {
    const result = spawnSync(process.execPath, ["-e", 'import("./scripts/bootstrap.mjs").then((m) => m.ensureChromium())'], {
      env: { ...process.env, CHROMIUM_PATH: "/nonexistent/chromium" },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Chromium is missing at CHROMIUM_PATH=/nonexistent/chromium");
  });
});
