"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { consoleApi, type ConsoleAnswer } from "@/components/api";
import { Icons } from "@/components/ui/icons";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { VerificationBanner } from "@/components/ui/verification-banner";

/** One digest of GET /api/console/t/[tenant]/evidence/digests (lib/evidence/digests.ts listDigests). */
export type DigestRow = ConsoleAnswer<"GET", "/t/[tenant]/evidence/digests">["digests"][number];
type Check = ConsoleAnswer<"POST", "/t/[tenant]/evidence/digests/verify">;

/** The signed hourly digests over run events and decisions, and their verification (Audit page). */
export function DigestChain({ slug, digests }: { slug: string; digests: DigestRow[] }) {
  const [check, setCheck] = useState<Check | null>(null);
  const verify = useMutation({
    mutationFn: () => consoleApi("POST", "/t/[tenant]/evidence/digests/verify", { params: { tenant: slug } }),
    onSuccess: setCheck,
  });
  const latest = digests[0];
  return (
    <section aria-labelledby="digests-heading" className="space-y-2">
      <VerificationBanner
        testId="digest-status"
        ok={check ? check.ok : null}
        icon={<Icons.evidence className="mt-0.5 h-5 w-5 text-slate-500" />}
        headingId="digests-heading"
        title={
          !check
            ? latest
              ? `Run events and decisions: ${digests.length === 1 ? "1 signed digest" : `signed digests up to #${latest.seq}`}`
              : "Run events and decisions: no digest sealed yet"
            : check.ok
              ? `Digest chain verified: ${check.digests} digests signed and linked, the latest ${check.recomputed} recomputed from the stored rows`
              : `Digest chain broken at digest #${check.brokenAtSeq}`
        }
        error={verify.error?.message}
        onVerify={() => verify.mutate()}
        verifying={verify.isPending}
        verifyLabel="Verify digests"
      >
        {check && !check.ok ? `${check.problem}. ` : null}
        Every hour the worker seals a signed digest over the events and decisions recorded since the previous one (Ed25519, chained by hash),
        so deleting or reordering rows between digests is detectable; evidence bundles carry them.
        {latest ? (
          <>
            {" "}
            Latest sealed <Time value={latest.createdAt} />.
          </>
        ) : null}
      </VerificationBanner>
      {digests.length ? (
        <details className="rounded-lg border border-slate-200 bg-white">
          <summary className="cursor-pointer px-4 py-2 text-sm font-medium text-slate-700">Digest history (latest {digests.length})</summary>
          <Table label="Digests">
            <thead>
              <tr>
                <Th className="w-16">#</Th>
                <Th>Sealed</Th>
                <Th>Events (ids)</Th>
                <Th className="text-right">Events</Th>
                <Th className="text-right">Decisions</Th>
                <Th>Digest hash</Th>
                <Th>Key</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {digests.map((d) => (
                <tr key={d.seq} data-testid="digest-row">
                  <Td className="font-mono text-xs tabular-nums text-slate-500">{d.seq}</Td>
                  <Td>
                    <Time value={d.periodEnd} />
                  </Td>
                  <Td className="font-mono text-xs text-slate-500">
                    {d.toEventId === d.fromEventId ? "none" : `${BigInt(d.fromEventId) + 1n}–${d.toEventId}`}
                  </Td>
                  <Td className="text-right tabular-nums">{d.eventCount.toLocaleString("en-US")}</Td>
                  <Td className="text-right tabular-nums">{d.decisionCount.toLocaleString("en-US")}</Td>
                  <Td className="font-mono text-[11px] text-slate-500" >
                    <span title={d.hash}>{d.hash.slice(0, 20)}…</span>
                  </Td>
                  <Td className="font-mono text-[11px] text-slate-500">{d.keyId}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </details>
      ) : null}
    </section>
  );
}
