import type { Role } from "@/lib/db/generated/enums";

/**
 * What each role may do. Roles are not a ladder: an auditor reads the audit log but
 * cannot approve; an approver approves but cannot read the audit log.
 */
export const PERMISSIONS = {
  "console.view": ["owner", "admin", "approver", "auditor", "viewer"],
  "members.view": ["owner", "admin"],
  "members.manage": ["owner", "admin"],
  "settings.manage": ["owner", "admin"],
  "audit.view": ["owner", "admin", "auditor"],
  "agents.manage": ["owner", "admin"],
  "policies.manage": ["owner", "admin"],
  "approvals.decide": ["owner", "admin", "approver"],
  "exports.create": ["owner", "admin", "auditor"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const ROLES: readonly Role[] = ["owner", "admin", "approver", "auditor", "viewer"];

export const ROLE_LABEL: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  approver: "Approver",
  auditor: "Auditor",
  viewer: "Viewer",
};

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Roles a member with `actorRole` may hand out: only owners make owners. */
export function assignableRoles(actorRole: Role): Role[] {
  return actorRole === "owner" ? [...ROLES] : ROLES.filter((r) => r !== "owner");
}
