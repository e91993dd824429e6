"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/field";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { STALE_CREDENTIAL_MS, formatDuration, useNow } from "./format";
import { StatusBadge } from "./status-badge";
import type { AgentRow, AgentStatus } from "./types";

const STATUSES: AgentStatus[] = ["active", "suspended", "decommissioned"];

export function AgentsTable({ slug, agents, now: serverNow }: { slug: string; agents: AgentRow[]; now: number }) {
  const router = useRouter();
  const now = useNow(serverNow);
  const [text, setText] = useState("");
  const [status, setStatus] = useState<"" | AgentStatus>("");

  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return agents.filter(
      (a) =>
        (!status || a.status === status) &&
        (!needle || [a.name, a.description, a.owner, a.environment, ...a.labels].some((field) => field.toLowerCase().includes(needle))),
    );
  }, [agents, text, status]);

  const filtered = text.trim() !== "" || status !== "";

  return (
    <div className="space-y-3">
      <form role="search" aria-label="Filter agents" className="flex flex-wrap items-center gap-2" onSubmit={(e) => e.preventDefault()}>
        <div className="w-72">
          <Input type="search" aria-label="Filter by text" placeholder="Name, owner, label, environment…" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="w-44">
          <Select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value as "" | AgentStatus)}>
            <option value="">All statuses</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </div>
        {filtered ? (
          <Button
            variant="ghost"
            onClick={() => {
              setText("");
              setStatus("");
            }}
          >
            Clear
          </Button>
        ) : null}
        <span className="ml-auto text-xs text-slate-500" aria-live="polite">
          {filtered ? `${shown.length} of ${agents.length} agents` : `${agents.length} ${agents.length === 1 ? "agent" : "agents"}`}
        </span>
      </form>

      <Table label="Agents">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>Status</Th>
            <Th>Owner</Th>
            <Th>Environment</Th>
            <Th>Labels</Th>
            <Th>Last seen</Th>
            <Th className="text-right">Tokens 24 h</Th>
            <Th className="text-right">Credential age</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {shown.length === 0 ? (
            <tr>
              <Td colSpan={8} className="py-8 text-center text-slate-500">
                No agents match these filters.
              </Td>
            </tr>
          ) : (
            shown.map((a) => {
              const href = `/t/${slug}/agents/${a.id}`;
              const age = a.oldestCredentialAt ? now - new Date(a.oldestCredentialAt).getTime() : null;
              return (
                <tr
                  key={a.id}
                  data-testid={`agent-row-${a.name}`}
                  className="cursor-pointer hover:bg-slate-50"
                  // The name is the keyboard-reachable link; a click anywhere else on the row follows it too.
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest("a, button")) return;
                    router.push(href);
                  }}
                >
                  <Td>
                    <Link href={href} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
                      {a.name}
                    </Link>
                    {a.description ? <div className="max-w-sm truncate text-xs text-slate-500" title={a.description}>{a.description}</div> : null}
                  </Td>
                  <Td>
                    <StatusBadge status={a.status} />
                  </Td>
                  <Td className="max-w-[14rem] truncate">
                    <span title={a.owner}>{a.owner}</span>
                  </Td>
                  <Td>{a.environment}</Td>
                  <Td>
                    <div className="flex max-w-[14rem] flex-wrap gap-1">
                      {a.labels.length === 0 ? <span className="text-slate-400">—</span> : a.labels.map((l) => <Badge key={l}>{l}</Badge>)}
                    </div>
                  </Td>
                  <Td>
                    <Time value={a.lastSeenAt} />
                  </Td>
                  <Td className="text-right tabular-nums">{a.tokens24h}</Td>
                  <Td className="text-right tabular-nums">
                    {age === null ? (
                      <span className="text-slate-400" title="No live credential">
                        none
                      </span>
                    ) : age > STALE_CREDENTIAL_MS ? (
                      <Badge tone="amber">
                        <span title={`Oldest live credential created ${a.oldestCredentialAt}; rotate it`}>{formatDuration(age)}</span>
                      </Badge>
                    ) : (
                      <span title={`Oldest live credential created ${a.oldestCredentialAt}`}>{formatDuration(age)}</span>
                    )}
                  </Td>
                </tr>
              );
            })
          )}
        </tbody>
      </Table>
    </div>
  );
}
