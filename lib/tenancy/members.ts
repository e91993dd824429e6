import type { MemberContext } from "@/lib/auth/member";
import type { Actor } from "@/lib/audit/append-audit-entry";

/** The audit actor for a signed-in member. */
export function memberActor(member: MemberContext): Actor {
  return { type: "user", id: member.user.id, label: member.user.email };
}
