import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import type { Escalation, GroupState } from "@/lib/approvals/schemas";

/**
 * Which approver groups have signed and which are still missing (AND: every group needs
 * its own approving member; one person signs for one group).
 */
export function GroupSignoffs({ groups, compact = false }: { groups: GroupState[]; compact?: boolean }) {
  if (!groups.length) return null;
  return (
    <span className="inline-flex flex-wrap items-center gap-1" data-testid="group-signoffs">
      {compact ? null : <span className="text-xs text-slate-600">Groups:</span>}
      {groups.map((g) => (
        <Badge key={g.name} tone={g.signed ? "green" : "amber"}>
          <span data-testid={`group-${g.name}`} data-signed={g.signed ? "yes" : "no"} title={g.signed ? `${g.name} signed${g.signedBy ? ` (${g.signedBy})` : ""}` : `${g.name} has not signed yet`}>
            {g.signed ? "✓" : "…"} {g.name}
            {!compact && g.signedBy ? <span className="font-normal"> · {g.signedBy}</span> : null}
            {!compact && !g.signed ? <span className="font-normal"> · missing</span> : null}
          </span>
        </Badge>
      ))}
    </span>
  );
}

/** The escalation state: when it will notify which group, or that it did. */
export function EscalationNote({ escalation, compact = false }: { escalation: Escalation | null; compact?: boolean }) {
  if (!escalation) return null;
  if (escalation.escalatedAt) {
    return (
      <Badge tone="red">
        <span data-testid="escalated">
          escalated to {escalation.to}
          {compact ? null : (
            <>
              {" "}
              · <Time value={escalation.escalatedAt} />
            </>
          )}
        </span>
      </Badge>
    );
  }
  if (compact) return null;
  return (
    <span className="text-xs text-slate-600" data-testid="escalation-planned">
      Escalates to <strong>{escalation.to}</strong> {escalation.at ? <>at <Time value={escalation.at} /></> : null} if still unanswered.
    </span>
  );
}
