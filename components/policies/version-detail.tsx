"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { consoleApi, type ConsoleAnswer } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { cx } from "@/components/ui/cx";
import { Card } from "@/components/ui/page";
import { Time } from "@/components/ui/time";
import { ChangesList } from "./changes-list";
import { plural } from "./describe";
import { foldUnchanged, lineDiff } from "./line-diff";
import type { PolicyState, PolicyVersion, Registry } from "./types";
import { usePolicyState } from "./queries";

/**
 * One published version: what changed from the version before (rule by rule), its Cedar
 * (whole, or as a line diff against the previous version) and a rollback to it.
 */
export function VersionDetail({
  slug,
  version,
  initialPolicy,
  agents,
  publishedBy,
  canManage,
  now,
}: {
  slug: string;
  version: PolicyVersion;
  initialPolicy: PolicyState;
  agents: Registry["agents"];
  publishedBy: string | null;
  canManage: boolean;
  now: number;
}) {
  const queryClient = useQueryClient();
  const policy = usePolicyState(slug, initialPolicy, now);
  const [view, setView] = useState<"diff" | "cedar">(version.version > 1 ? "diff" : "cedar");
  const [confirming, setConfirming] = useState(false);
  const [rolledBack, setRolledBack] = useState<ConsoleAnswer<"POST", "/t/[tenant]/policy/rollback"> | null>(null);

  const current = policy.published?.version ?? null;
  const isCurrent = version.version === current;
  const names = new Map(agents.map((a) => [a.id, a.name]));
  const agentName = (id: string) => names.get(id) ?? id;
  const draftChanges = policy.changes.length;

  const rollback = useMutation({
    mutationFn: () => consoleApi("POST", "/t/[tenant]/policy/rollback", { params: { tenant: slug }, body: { version: version.version } }),
    onSuccess: (result) => {
      setRolledBack(result);
      return Promise.all([queryClient.invalidateQueries({ queryKey: ["policy", slug] }), queryClient.invalidateQueries({ queryKey: ["policy-capabilities", slug] })]);
    },
  });

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-xs text-slate-500">
        <Link href={`/t/${slug}/policies/versions`} className="hover:text-slate-800 hover:underline">
          Versions
        </Link>{" "}
        / <span aria-current="page">Version {version.version}</span>
      </nav>
      <div className="mb-5 flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          <div className="flex items-center gap-2.5">
            <h2 className="text-lg font-semibold tracking-tight text-slate-900">Version {version.version}</h2>
            {isCurrent ? <Badge tone="green">current</Badge> : null}
          </div>
          <p className="mt-1 text-sm text-slate-700">{version.summary}</p>
          <p className="mt-0.5 text-xs text-slate-500">
            Published <Time value={version.publishedAt} />
            {publishedBy ? ` by ${publishedBy}` : ""} · {plural(version.rules.length, "rule")}
          </p>
        </div>
        {canManage && !isCurrent ? (
          <Button variant="secondary" onClick={() => setConfirming(true)}>
            Roll back to this version
          </Button>
        ) : null}
      </div>

      <div className="space-y-5">
        {rolledBack ? (
          <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-inset ring-emerald-200" data-testid="rollback-result">
            Rolled back: version {rolledBack.version} now enforces the rules of version {version.version}. The draft holds them too.{" "}
            <Link href={`/t/${slug}/policies/versions/${rolledBack.version}`} className="font-medium underline">
              View version {rolledBack.version}
            </Link>
          </p>
        ) : null}

        <Card title={version.version > 1 ? `Changes from version ${version.version - 1}` : "Rules of the first version"}>
          <ChangesList changes={version.changes} agentName={agentName} label={`Changes in version ${version.version}`} />
        </Card>

        <section aria-labelledby="cedar-title" className="rounded-lg border border-slate-200 bg-white shadow-sm">
          <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-2">
            <h3 id="cedar-title" className="text-sm font-semibold text-slate-900">
              Cedar
            </h3>
            {version.version > 1 ? (
              <div className="flex rounded-md ring-1 ring-slate-300" role="group" aria-label="Cedar view">
                <button
                  type="button"
                  aria-pressed={view === "diff"}
                  onClick={() => setView("diff")}
                  className={cx("rounded-l-md px-2.5 py-1 text-xs font-medium", view === "diff" ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-50")}
                >
                  Diff against version {version.version - 1}
                </button>
                <button
                  type="button"
                  aria-pressed={view === "cedar"}
                  onClick={() => setView("cedar")}
                  className={cx("rounded-r-md px-2.5 py-1 text-xs font-medium", view === "cedar" ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-50")}
                >
                  Whole document
                </button>
              </div>
            ) : null}
          </header>
          {view === "diff" ? (
            <CedarDiff before={version.previousCedar} after={version.cedar} />
          ) : version.cedar ? (
            <pre className="max-h-[36rem] overflow-auto p-4 font-mono text-xs leading-5 text-slate-800" data-testid="cedar-document">
              {version.cedar}
            </pre>
          ) : (
            <p className="p-4 text-sm text-slate-500">No rules: this version denies every action.</p>
          )}
        </section>
      </div>

      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        tone="primary"
        title={`Roll back to version ${version.version}?`}
        confirmLabel={`Roll back to version ${version.version}`}
        onConfirm={() => rollback.mutateAsync()}
      >
        <div className="space-y-2">
          <p>
            Publishes the rules of version {version.version} again as version {(current ?? 0) + 1}; history stays as it is. Agents&apos; decisions follow it within
            a second.
          </p>
          <p>
            The draft is replaced by these rules
            {draftChanges ? (
              <>
                : <strong>its {plural(draftChanges, "unpublished change")} will be lost</strong>.
              </>
            ) : (
              "."
            )}
          </p>
        </div>
      </ConfirmDialog>
    </>
  );
}

function CedarDiff({ before, after }: { before: string; after: string }) {
  const hunks = useMemo(() => foldUnchanged(lineDiff(before, after)), [before, after]);
  if (before === after) return <p className="p-4 text-sm text-slate-500">The Cedar text is identical to the previous version&apos;s.</p>;
  return (
    <div className="max-h-[36rem] overflow-auto py-2 font-mono text-xs leading-5" data-testid="cedar-diff">
      <table className="min-w-full border-collapse" aria-label="Cedar line diff">
        <tbody>
          {hunks.map((hunk, h) =>
            hunk.kind === "skip" ? (
              <tr key={`s${h}`}>
                <td colSpan={3} className="bg-slate-50 px-4 py-0.5 text-slate-500">
                  ⋯ {plural(hunk.count, "unchanged line")}
                </td>
              </tr>
            ) : (
              hunk.lines.map((line, i) => (
                <tr key={`${h}-${i}`} data-kind={line.kind} className={line.kind === "add" ? "bg-emerald-50" : line.kind === "del" ? "bg-red-50" : undefined}>
                  <td className="w-10 select-none pr-2 text-right text-slate-400">{line.oldNo ?? ""}</td>
                  <td className="w-10 select-none pr-2 text-right text-slate-400">{line.newNo ?? ""}</td>
                  <td className={cx("whitespace-pre pr-4", line.kind === "add" ? "text-emerald-900" : line.kind === "del" ? "text-red-900" : "text-slate-700")}>
                    <span className="select-none pr-2 text-slate-400" aria-label={line.kind === "add" ? "added" : line.kind === "del" ? "removed" : undefined}>
                      {line.kind === "add" ? "+" : line.kind === "del" ? "−" : " "}
                    </span>
                    {line.text}
                  </td>
                </tr>
              ))
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}
