import type { Permission } from "@/lib/auth/roles";

/** The console's sections, in sidebar order; each one is hidden when the role lacks its permission. */
export const NAV = [
  { href: "", label: "Overview", icon: "overview", permission: "console.view" },
  { href: "/agents", label: "Agents", icon: "agents", permission: "console.view" },
  { href: "/policies", label: "Policies", icon: "policies", permission: "console.view" },
  { href: "/approvals", label: "Approvals", icon: "approvals", permission: "console.view" },
  { href: "/runs", label: "Runs", icon: "runs", permission: "console.view" },
  { href: "/usage", label: "Usage", icon: "usage", permission: "console.view" },
  { href: "/audit", label: "Audit", icon: "audit", permission: "audit.view" },
  { href: "/evidence", label: "Evidence", icon: "evidence", permission: "exports.create" },
  { href: "/settings", label: "Settings", icon: "settings", permission: "console.view" },
] as const satisfies readonly { href: string; label: string; icon: string; permission: Permission }[];
