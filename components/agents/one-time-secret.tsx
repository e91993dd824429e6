"use client";

import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";
import { Icons } from "@/components/ui/icons";
import { CopyButton } from "./copy-button";

/**
 * A freshly issued client secret, shown once: Gatehouse keeps only a slow hash, so
 * once this panel is dismissed (or the page reloaded) the secret is gone for good.
 */
export function OneTimeSecret({
  secret,
  clientId,
  tokenEndpoint,
  label,
  onDismiss,
}: {
  secret: string;
  clientId: string;
  tokenEndpoint: string;
  label: string;
  onDismiss: () => void;
}) {
  const ref = useRef<HTMLElement>(null);
  // Bring it into view and to screen readers' attention the moment it appears.
  useEffect(() => ref.current?.focus(), [secret]);
  return (
    <section ref={ref} tabIndex={-1} aria-labelledby="one-time-secret-title" className="rounded-lg outline-none focus-visible:ring-2 focus-visible:ring-amber-500 border border-amber-300 bg-amber-50 p-4 shadow-sm">
      <div className="flex items-start gap-2.5">
        <Icons.alert className="mt-0.5 h-5 w-5 text-amber-700" />
        <div className="min-w-0 flex-1">
          <h2 id="one-time-secret-title" className="text-sm font-semibold text-amber-950">
            New client secret for “{label}”: copy it now
          </h2>
          <p className="mt-0.5 text-xs text-amber-900">
            It will not be shown again. Gatehouse stores only a hash of it; if it is lost, rotate the credential.
          </p>
          <div className="mt-3 flex items-center gap-2">
            <code
              data-testid="one-time-secret"
              className="block min-w-0 flex-1 select-all break-all rounded-md bg-white px-2.5 py-1.5 font-mono text-xs text-slate-900 ring-1 ring-inset ring-amber-300"
            >
              {secret}
            </code>
            <CopyButton value={secret} label="Copy client secret" size="md" />
          </div>
          <p className="mt-3 text-xs text-amber-900">Exchange it for a short-lived token:</p>
          <pre className="mt-1 overflow-x-auto rounded-md bg-white px-2.5 py-1.5 font-mono text-[11px] text-slate-700 ring-1 ring-inset ring-amber-200">
            {`curl -X POST ${tokenEndpoint} \\\n  -d grant_type=client_credentials \\\n  -d client_id=${clientId} \\\n  -d client_secret="$GATEHOUSE_CLIENT_SECRET"`}
          </pre>
        </div>
        <Button variant="secondary" size="sm" onClick={onDismiss}>
          I have stored it
        </Button>
      </div>
    </section>
  );
}
