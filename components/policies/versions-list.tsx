"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Icons } from "@/components/ui/icons";
import { EmptyState } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { PolicyState } from "./types";
import { usePolicyState } from "./queries";

/** Published versions, newest first: each immutable, with author, time and what changed. */
export function VersionsList({ slug, initialPolicy, now }: { slug: string; initialPolicy: PolicyState; now: number }) {
  const router = useRouter();
  const policy = usePolicyState(slug, initialPolicy, now);
  const current = policy.published?.version ?? null;

  if (policy.versions.length === 0) {
    return (
      <EmptyState icon={<Icons.policies className="h-8 w-8" />} title="Nothing published yet">
        Until a version is published every agent action is denied. Write rules in the{" "}
        <Link href={`/t/${slug}/policies`} className="font-medium text-brand-700 underline">
          allowlist
        </Link>{" "}
        and publish them; each publish becomes an immutable version you can diff and roll back to.
      </EmptyState>
    );
  }

  return (
    <div className="space-y-3">
      {policy.changes.length ? (
        <p className="text-sm text-slate-600">
          The draft has {policy.changes.length} unpublished {policy.changes.length === 1 ? "change" : "changes"}.{" "}
          <Link href={`/t/${slug}/policies#publish`} className="font-medium text-brand-700 hover:underline">
            Review the draft
          </Link>
        </p>
      ) : null}
      <Table label="Policy versions">
        <thead>
          <tr>
            <Th>Version</Th>
            <Th>Summary</Th>
            <Th>Published by</Th>
            <Th>Published</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {policy.versions.map((v) => {
            const href = `/t/${slug}/policies/versions/${v.version}`;
            return (
              <tr
                key={v.version}
                className="cursor-pointer hover:bg-slate-50"
                data-testid={`version-row-${v.version}`}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest("a, button")) return;
                  router.push(href);
                }}
              >
                <Td className="whitespace-nowrap">
                  <Link href={href} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
                    Version {v.version}
                  </Link>{" "}
                  {v.version === current ? <Badge tone="green">current</Badge> : null}
                </Td>
                <Td>{v.summary}</Td>
                <Td className="max-w-[14rem] truncate">
                  <span title={v.publishedBy}>{v.publishedBy}</span>
                </Td>
                <Td>
                  <Time value={v.publishedAt} />
                </Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
      {policy.versions.length >= 50 ? <p className="text-xs text-slate-500">The 50 most recent versions are listed; older ones open by number: …/versions/&lt;n&gt;.</p> : null}
    </div>
  );
}
