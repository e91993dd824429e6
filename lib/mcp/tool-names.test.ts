import { describe, expect, it } from "vitest";
import { annotationsFor, mcpToolName } from "./tool-names";

describe("mcpToolName", () => {
  it("joins tool and operation and replaces characters OpenAI function names refuse", () => {
    expect(mcpToolName("stripe", "refunds.create")).toBe("stripe__refunds_create");
    expect(mcpToolName("git hub", "repo/merge:pr")).toBe("git_hub__repo_merge_pr");
  });

  it("caps at 64 characters and keeps long names distinct", () => {
    const a = mcpToolName("t".repeat(40), `${"o".repeat(40)}a`);
    const b = mcpToolName("t".repeat(40), `${"o".repeat(40)}b`);
    expect(a).toHaveLength(64);
    expect(b).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe("annotationsFor", () => {
  it("marks reads read-only and money destructive", () => {
    expect(annotationsFor("read", true)).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(annotationsFor("money", false)).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(annotationsFor("write", true)).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(annotationsFor("delete", true)).toMatchObject({ destructiveHint: true, idempotentHint: true });
  });
});
