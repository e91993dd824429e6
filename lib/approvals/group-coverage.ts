/**
 * Approver groups (AND): which required groups an approval's approving votes cover.
 * Importable from components/ (pure).
 *
 * Semantics ("one person counts once"): every required group needs its OWN approving
 * member. One person signs for at most one group, even when they belong to several, and
 * counts once toward the number of distinct approvers. So "security AND finance" always
 * takes two different people; a member of both can sign for either one, whichever leaves
 * the other coverable (a maximum matching of approvers to groups, so the order of the
 * votes never matters).
 */
export type GroupVote = { userId: string; groups: string[] };
export type GroupCoverage = {
  /** Required group → the approver counted for it, or null while unsigned. */
  signedBy: Record<string, string | null>;
  missing: string[];
  satisfied: boolean;
};

export function groupCoverage(requiredGroups: string[], approvers: GroupVote[]): GroupCoverage {
  const groups = [...new Set(requiredGroups)];
  const people = [...new Map(approvers.map((a) => [a.userId, a])).values()];
  const holder = new Map<string, string>(); // group → userId
  // Kuhn's augmenting paths: groups and approvers are a handful, so this is instant.
  const tryAssign = (userId: string, personGroups: string[], seen: Set<string>): boolean => {
    for (const group of personGroups) {
      if (!groups.includes(group) || seen.has(group)) continue;
      seen.add(group);
      const current = holder.get(group);
      const currentGroups = current ? people.find((p) => p.userId === current)!.groups : [];
      if (!current || tryAssign(current, currentGroups, seen)) {
        holder.set(group, userId);
        return true;
      }
    }
    return false;
  };
  for (const person of people) tryAssign(person.userId, person.groups, new Set());
  const signedBy = Object.fromEntries(groups.map((g) => [g, holder.get(g) ?? null]));
  const missing = groups.filter((g) => !holder.has(g));
  return { signedBy, missing, satisfied: missing.length === 0 };
}

/** Approved when enough distinct people approved AND every required group is covered. */
export function isApproved(input: { requiredApprovals: number; requiredGroups: string[]; approvers: GroupVote[] }): boolean {
  const distinct = new Set(input.approvers.map((a) => a.userId)).size;
  return distinct >= input.requiredApprovals && groupCoverage(input.requiredGroups, input.approvers).satisfied;
}

export { GROUP_NAME } from "./schemas";
