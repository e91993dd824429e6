import { Badge, type Tone } from "@/components/ui/badge";
import type { AgentStatus } from "./types";

const TONE: Record<AgentStatus, Tone> = { active: "green", suspended: "amber", decommissioned: "neutral" };

export function StatusBadge({ status }: { status: AgentStatus }) {
  return <Badge tone={TONE[status]}>{status}</Badge>;
}
