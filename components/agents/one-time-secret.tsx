"use client";

import { useEffect, useId, useRef } from "react";
import { Button } from "@/components/ui/button";
import { Icons } from "@/components/ui/icons";
import { CopyButton } from "./copy-button";

/**
 * A freshly issued secret, shown once (a client secret, a webhook signing secret):
 * Gatehouse does not show it again, so once this panel is dismissed (or the page
 * reloaded) it is gone for good. `children` adds what to do with it.
 */
export function OneTimeSecret({
  secret,
  title,
  hint,
  copyLabel,
  testId,
  onDismiss,
  children,
}: {
  secret: string;
  title: React.ReactNode;
  hint: string;
  copyLabel: string;
  testId: string;
  onDismiss: () => void;
  children?: React.ReactNode;
}) {
  const ref = useRef<HTMLElement>(null);
  const titleId = useId();
  // Bring it into view and to screen readers' attention the moment it appears.
  useEffect(() => ref.current?.focus(), [secret]);
  return (
    <section ref={ref} tabIndex={-1} aria-labelledby={titleId} className="rounded-lg outline-none focus-visible:ring-2 focus-visible:ring-amber-500 border border-amber-300 bg-amber-50 p-4 shadow-sm">
      <div className="flex items-start gap-2.5">
        <Icons.alert className="mt-0.5 h-5 w-5 text-amber-700" />
        <div className="min-w-0 flex-1">
          <h2 id={titleId} className="text-sm font-semibold text-amber-950">
            {title}
          </h2>
          <p className="mt-0.5 text-xs text-amber-900">{hint}</p>
          <div className="mt-3 flex items-center gap-2">
            <code
              data-testid={testId}
              className="block min-w-0 flex-1 select-all break-all rounded-md bg-white px-2.5 py-1.5 font-mono text-xs text-slate-900 ring-1 ring-inset ring-amber-300"
            >
              {secret}
            </code>
            <CopyButton value={secret} label={copyLabel} size="md" />
          </div>
          {children}
        </div>
        <Button variant="secondary" size="sm" onClick={onDismiss}>
          I have stored it
        </Button>
      </div>
    </section>
  );
}

/** A new client secret, with how to exchange it for a token. */
export function NewClientSecret({ secret, clientId, tokenEndpoint, label, onDismiss }: { secret: string; clientId: string; tokenEndpoint: string; label: string; onDismiss: () => void }) {
  return (
    <OneTimeSecret
      secret={secret}
      title={<>New client secret for “{label}”: copy it now</>}
      hint="It will not be shown again. Gatehouse stores only a hash of it; if it is lost, rotate the credential."
      copyLabel="Copy client secret"
      testId="one-time-secret"
      onDismiss={onDismiss}
    >
      <p className="mt-3 text-xs text-amber-900">Exchange it for a short-lived token:</p>
      <pre className="mt-1 overflow-x-auto rounded-md bg-white px-2.5 py-1.5 font-mono text-[11px] text-slate-700 ring-1 ring-inset ring-amber-200">
        {`curl -X POST ${tokenEndpoint} \\\n  -d grant_type=client_credentials \\\n  -d client_id=${clientId} \\\n  -d client_secret="$GATEHOUSE_CLIENT_SECRET"`}
      </pre>
    </OneTimeSecret>
  );
}
