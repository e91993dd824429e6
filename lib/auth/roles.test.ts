import { describe, expect, it } from "vitest";
import { assignableRoles, can } from "./roles";

describe("roles", () => {
  it("gives the audit log to auditors but not approvers or viewers", () => {
    expect(can("auditor", "audit.view")).toBe(true);
    expect(can("approver", "audit.view")).toBe(false);
    expect(can("viewer", "audit.view")).toBe(false);
  });

  it("lets only owners and admins manage members and settings", () => {
    for (const role of ["owner", "admin"] as const) expect(can(role, "members.manage")).toBe(true);
    for (const role of ["approver", "auditor", "viewer"] as const) {
      expect(can(role, "members.manage")).toBe(false);
      expect(can(role, "settings.manage")).toBe(false);
    }
  });

  it("lets only owners hand out the owner role", () => {
    expect(assignableRoles("owner")).toContain("owner");
    expect(assignableRoles("admin")).not.toContain("owner");
    expect(assignableRoles("admin")).toContain("admin");
  });
});
