import type { ReactNode } from "react";
import { Button } from "./button";
import { Icons } from "./icons";

/**
 * The banner above a tamper-evident chain (audit entries, evidence digests): its state,
 * what was checked, and a button to check again. `ok` is null until a check has run.
 * `headingId` makes the title the heading that labels the surrounding section.
 */
export function VerificationBanner(props: {
  testId: string;
  ok: boolean | null;
  icon: ReactNode; // shown unless the check failed (then an alert)
  title: ReactNode;
  headingId?: string;
  children: ReactNode;
  error?: string;
  onVerify: () => void;
  verifying: boolean;
  verifyLabel: string;
}) {
  const { ok } = props;
  return (
    <div
      data-testid={props.testId}
      className={`flex flex-wrap items-center justify-between gap-3 rounded-lg border px-4 py-3 ${
        ok === null ? "border-slate-200 bg-white" : ok ? "border-emerald-200 bg-emerald-50" : "border-red-200 bg-red-50"
      }`}
    >
      <div className="flex items-start gap-2.5">
        {ok === false ? <Icons.alert className="mt-0.5 h-5 w-5 text-red-600" /> : props.icon}
        <div>
          {props.headingId ? (
            <h2 id={props.headingId} className="font-medium text-slate-900">
              {props.title}
            </h2>
          ) : (
            <div className="font-medium text-slate-900">{props.title}</div>
          )}
          <div className="text-xs text-slate-600">{props.children}</div>
          {props.error ? <div className="text-xs text-red-700">{props.error}</div> : null}
        </div>
      </div>
      <Button variant="secondary" onClick={props.onVerify} disabled={props.verifying}>
        {props.verifying ? "Verifying…" : props.verifyLabel}
      </Button>
    </div>
  );
}
