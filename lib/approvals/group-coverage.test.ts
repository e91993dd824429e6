import { describe, expect, it } from "vitest";
import { groupCoverage, isApproved } from "./group-coverage";

describe("groupCoverage", () => {
  it("needs every required group (AND)", () => {
    expect(groupCoverage(["security", "finance"], [{ userId: "a", groups: ["security"] }])).toEqual({
      signedBy: { security: "a", finance: null }, missing: ["finance"], satisfied: false,
    });
    expect(groupCoverage(["security", "finance"], [{ userId: "a", groups: ["security"] }, { userId: "b", groups: ["finance"] }]).satisfied).toBe(true);
  });

  it("one person in both groups signs for one of them only", () => {
    expect(groupCoverage(["security", "finance"], [{ userId: "both", groups: ["security", "finance"] }]).satisfied).toBe(false);
    // The same person voting twice (deduplicated) is still one person.
    expect(groupCoverage(["security", "finance"], [{ userId: "both", groups: ["security", "finance"] }, { userId: "both", groups: ["security", "finance"] }]).satisfied).toBe(false);
  });

  it("assigns people so that groups are covered whatever the order of votes", () => {
    // "both" voted first and took security; the later security-only voter forces "both" onto finance.
    const coverage = groupCoverage(["security", "finance"], [{ userId: "both", groups: ["security", "finance"] }, { userId: "sec", groups: ["security"] }]);
    expect(coverage).toEqual({ signedBy: { security: "sec", finance: "both" }, missing: [], satisfied: true });
  });

  it("no groups required: always covered", () => {
    expect(groupCoverage([], []).satisfied).toBe(true);
  });
});

describe("isApproved", () => {
  it("needs the count AND the groups", () => {
    const sec = { userId: "a", groups: ["security"] };
    const fin = { userId: "b", groups: ["finance"] };
    const none = { userId: "c", groups: [] };
    expect(isApproved({ requiredApprovals: 1, requiredGroups: ["security", "finance"], approvers: [sec] })).toBe(false);
    expect(isApproved({ requiredApprovals: 1, requiredGroups: ["security", "finance"], approvers: [sec, fin] })).toBe(true);
    expect(isApproved({ requiredApprovals: 3, requiredGroups: ["security", "finance"], approvers: [sec, fin] })).toBe(false);
    expect(isApproved({ requiredApprovals: 3, requiredGroups: ["security", "finance"], approvers: [sec, fin, none] })).toBe(true);
    expect(isApproved({ requiredApprovals: 2, requiredGroups: [], approvers: [none, none] })).toBe(false);
  });
});
