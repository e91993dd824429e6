import { Badge, type Tone } from "@/components/ui/badge";
import { RISK_LABEL, type RiskClass } from "./types";

const TONE: Record<RiskClass, Tone> = { read: "neutral", write: "brand", delete: "red", money: "red", deploy: "amber", identity: "amber" };

/** The risk class of an operation, coloured by how much harm it can do. */
export function RiskBadge({ risk }: { risk: RiskClass }) {
  return (
    <span title={RISK_LABEL[risk]} data-testid="risk-badge">
      <Badge tone={TONE[risk] ?? "neutral"}>{risk}</Badge>
    </span>
  );
}

export function ReversibleBadge({ reversible }: { reversible: boolean }) {
  return reversible ? (
    <Badge tone="green">reversible</Badge>
  ) : (
    <span title="Its effect cannot be undone">
      <Badge tone="amber">irreversible</Badge>
    </span>
  );
}

/** Argument names, required ones marked with an asterisk. */
export function ArgumentList({ args, limit = 8 }: { args: { name: string; required: boolean }[]; limit?: number }) {
  if (args.length === 0) return <span className="text-xs text-slate-400">none</span>;
  const shown = args.slice(0, limit);
  return (
    <span className="font-mono text-xs text-slate-600">
      {shown.map((a, i) => (
        <span key={a.name}>
          {i > 0 ? ", " : null}
          {a.name}
          {a.required ? <span title="required" className="text-red-600">*</span> : null}
        </span>
      ))}
      {args.length > limit ? <span className="text-slate-400"> +{args.length - limit} more</span> : null}
    </span>
  );
}
