import { Badge } from "@/components/ui/badge";
import type { Coverage } from "./types";

const TITLE: Record<Coverage, string> = {
  enforced: "Enforced: the credential lives only in Gatehouse's vault and calls go through the gateway, so policy applies even to an agent that does not ask.",
  advisory: "Advisory: the agent holds its own credential and only asks Gatehouse; an agent that skips the question is not stopped.",
};

/** Whether calls are enforced by the gateway or only advisory (docs/GATEWAY.md). */
export function CoverageBadge({ coverage }: { coverage: Coverage }) {
  return (
    <span title={TITLE[coverage]} data-testid="coverage">
      <Badge tone={coverage === "enforced" ? "green" : "neutral"}>{coverage === "enforced" ? "Enforced" : "Advisory"}</Badge>
      <span className="sr-only">. {TITLE[coverage]}</span>
    </span>
  );
}
