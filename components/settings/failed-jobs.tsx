"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { consoleApi, type ConsoleAnswer } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Card, EmptyState } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

/** A row of GET /api/console/t/[tenant]/failed-jobs (lib/queue/list-dead-letters.ts). */
type DeadLetterRow = ConsoleAnswer<"GET", "/t/[tenant]/failed-jobs">["jobs"][number];

const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/**
 * Settings → Failed jobs: queued work (event batches, decision records) that Postgres
 * refused or that ran out of retries, kept instead of dropped; each can be re-driven once.
 */
export function FailedJobs({ slug, initial }: { slug: string; initial: DeadLetterRow[] }) {
  const queryClient = useQueryClient();
  const key = ["failed-jobs", slug];
  const jobs = useQuery({
    queryKey: key,
    queryFn: async () => (await consoleApi("GET", "/t/[tenant]/failed-jobs", { params: { tenant: slug } })).jobs,
    initialData: initial,
    refetchInterval: 10_000,
  });
  const [confirm, setConfirm] = useState<DeadLetterRow | null>(null);

  if (jobs.data.length === 0) {
    return (
      <EmptyState title="No failed jobs">
        Event batches and decision records that the database refuses, or that run out of retries, are kept here instead of being
        dropped, so you can see them and re-drive them.
      </EmptyState>
    );
  }

  return (
    <Card title="Failed jobs">
      <p className="mb-3 text-sm text-slate-600">
        Queued work the database refused (for example a NUL byte or a lone surrogate in a payload) or that ran out of retries. Re-driving
        queues it again once; characters the database cannot store are replaced with U+FFFD, and already-stored parts are not stored twice.
      </p>
      <Table label="Failed jobs">
        <thead>
          <tr>
            <Th>Failed</Th>
            <Th>Queue</Th>
            <Th>Error</Th>
            <Th>Payload</Th>
            <Th>Attempts</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {jobs.data.map((job) => (
            <tr key={job.id} data-testid={`failed-job-${job.id}`}>
              <Td className="text-xs"><Time value={job.createdAt} /></Td>
              <Td>
                <div className="font-mono text-xs text-slate-900">{job.queue}</div>
                <div className="font-mono text-xs text-slate-500">{job.jobName}</div>
              </Td>
              <Td className="text-xs">
                <div className="max-w-md truncate text-red-700" title={job.error}>{job.error}</div>
              </Td>
              <Td className="text-xs">{job.payloadBytes ? size(job.payloadBytes) : <span className="text-slate-400">not kept</span>}</Td>
              <Td>{job.attempts}</Td>
              <Td className="text-right">
                {job.redrivenAt ? (
                  <Badge tone="green">
                    re-driven <Time value={job.redrivenAt} />
                  </Badge>
                ) : job.redrivable ? (
                  <Button size="sm" variant="secondary" onClick={() => setConfirm(job)}>
                    Re-drive
                  </Button>
                ) : null}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <ConfirmDialog
        open={confirm !== null}
        title="Re-drive this job?"
        confirmLabel="Re-drive"
        tone="primary"
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          await consoleApi("POST", "/t/[tenant]/failed-jobs/[deadLetterId]/redrive", { params: { tenant: slug, deadLetterId: confirm!.id } });
          await queryClient.invalidateQueries({ queryKey: key });
        }}
      >
        <p className="text-sm text-slate-600">
          The {confirm?.queue} job is queued again, once. Characters the database cannot store are replaced with U+FFFD. This is recorded in
          the audit log.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
