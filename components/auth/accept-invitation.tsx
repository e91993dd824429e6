"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { consoleApi } from "@/components/api";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/field";

export function AcceptInvitation({ token }: { token: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-3">
      <FormError message={error} />
      <Button
        className="w-full"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            const { tenant } = await consoleApi("POST", "/invitations/accept", { body: { token } });
            router.push(`/t/${tenant.slug}`);
            router.refresh();
          } catch (err) {
            setError((err as Error).message);
            setBusy(false);
          }
        }}
      >
        {busy ? "Joining…" : "Accept invitation"}
      </Button>
    </div>
  );
}
