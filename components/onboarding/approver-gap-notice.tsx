import Link from "next/link";
import { Icons } from "@/components/ui/icons";
import type { ApproverGap } from "./types";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Separation of duties where it bites: nobody approves a request of an agent they own, so
 * with one member able to decide, that member's agents' requests can only expire. Renders
 * nothing when some other member could approve.
 */
export function ApproverGapNotice({ gap, membersHref }: { gap: ApproverGap; membersHref: string | null }) {
  const { count, sample } = gap.blockedAgents;
  if (count === 0 && gap.deciders > 1) return null;
  const names = sample.map((a) => a.name).join(", ");
  return (
    <aside aria-label="Separation of duties" data-testid="approver-gap" className="flex gap-3 rounded-md bg-amber-50 px-3 py-2.5 text-sm text-amber-950 ring-1 ring-inset ring-amber-200">
      <Icons.alert className="mt-0.5 h-4 w-4 shrink-0 text-amber-600" />
      <div className="space-y-1">
        <p className="font-medium">
          {count > 0
            ? `Nobody can approve requests of ${names}${count > sample.length ? ` and ${plural(count - sample.length, "more agent")}` : ""}.`
            : "Only one member can approve requests."}
        </p>
        <p>
          Gatehouse never lets a person approve a request of an agent they own (separation of duties), so a request that needs approval would wait until it
          expires. {membersHref ? null : "Ask an owner or admin to invite an approver."}
        </p>
        {membersHref ? (
          <Link href={membersHref} className="inline-block font-medium text-brand-700 underline-offset-2 hover:underline">
            Invite an approver
          </Link>
        ) : null}
      </div>
    </aside>
  );
}
