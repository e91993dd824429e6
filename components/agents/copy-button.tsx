"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";

/**
 * Copies `value` to the clipboard. `label` names what is copied for screen readers
 * ("Copy client id"); the visible text stays "Copy" / "Copied".
 */
export function CopyButton({ value, label, size = "sm" }: { value: string; label: string; size?: "sm" | "md" }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <Button
      variant="secondary"
      size={size}
      aria-label={label}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setState("copied");
        } catch {
          setState("failed");
        }
      }}
    >
      {state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select the text" : "Copy"}
      <span className="sr-only" role="status">
        {state === "copied" ? "Copied to the clipboard" : ""}
      </span>
    </Button>
  );
}
