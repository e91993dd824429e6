"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { consoleApi } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field, Input } from "@/components/ui/field";
import { Card } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { AgentForm } from "./agent-form";
import { CopyButton } from "./copy-button";
import { AddCredentialForm, CredentialsTable, KIND_LABEL } from "./credentials-card";
import { localInputValue, isoFromLocalInput, useNow } from "./format";
import { NewClientSecret } from "./one-time-secret";
import { StatusBadge } from "./status-badge";
import { CoverageBadge } from "@/components/connections/coverage-badge";
import type { AgentDetail, AgentStatus, Credential } from "./types";

type Pending =
  | { kind: "status"; status: AgentStatus }
  | { kind: "revoke"; credential: Credential }
  | { kind: "rotate"; credential: Credential };

const GRANT_LABEL: Record<string, string> = {
  client_secret: "client secret",
  private_key_jwt: "private key JWT",
  token_exchange: "token exchange",
};

const REASON_PREFIX: Record<AgentStatus, string> = { active: "Reactivated", suspended: "Suspended", decommissioned: "Decommissioned" };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function AgentDetailView({
  slug,
  initial,
  now: serverNow,
  me,
  canManage,
  tokenEndpoint,
  coverage,
  mcp,
}: {
  slug: string;
  initial: AgentDetail;
  now: number;
  me: string;
  canManage: boolean;
  tokenEndpoint: string;
  /** Enforced when every tool its published policy allows goes through the gateway. */
  coverage: "enforced" | "advisory";
  /** The agent's MCP endpoint and tools/list (McpView), rendered by the page. */
  mcp: React.ReactNode;
}) {
  const queryClient = useQueryClient();
  const key = ["agent", slug, initial.id];
  const params = { tenant: slug, agentId: initial.id };
  const query = useQuery({ queryKey: key, queryFn: () => consoleApi("GET", "/t/[tenant]/agents/[agentId]", { params }), initialData: initial, initialDataUpdatedAt: serverNow, refetchInterval: 30_000 });
  const agent = query.data;
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  const now = useNow(serverNow);

  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<{ value: string; label: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [reason, setReason] = useState("");
  const [retire, setRetire] = useState<"now" | "later">("now");
  const [retireAt, setRetireAt] = useState("");

  const manageable = canManage && agent.status !== "decommissioned";
  const liveCredentials = agent.credentials.filter((c) => !c.revokedAt && !(c.expiresAt && new Date(c.expiresAt).getTime() <= now)).length;

  function open(next: Pending) {
    setReason("");
    setRetire("now");
    setRetireAt(localInputValue(24 * 60 * 60 * 1000));
    setPending(next);
  }

  const changeStatus = useMutation({
    mutationFn: (body: { status: AgentStatus; reason: string }) => consoleApi("POST", "/t/[tenant]/agents/[agentId]/status", { params, body }),
    onSuccess: (r) => {
      const halted = `${plural(r.cancelledApprovals, "pending approval")} cancelled, ${plural(r.terminatedRuns, "running run")} terminated`;
      setNotice(
        r.status === "active"
          ? "Reactivated: the agent may get tokens again."
          : r.status === "suspended"
            ? `Suspended: its tokens are refused from now on; ${halted}.`
            : `Decommissioned: ${plural(r.revokedCredentials, "credential")} revoked; ${halted}.`,
      );
      setEditing(false);
      setAdding(false);
      return refresh();
    },
  });

  const revoke = useMutation({
    mutationFn: (v: { credential: Credential; reason: string }) => 
      consoleApi("POST", "/t/[tenant]/agents/[agentId]/credentials/[credentialId]/revoke", { params: { ...params, credentialId: v.credential.id }, body: { reason: v.reason } }),
    onSuccess: (_data, v) => {
      setNotice(`Revoked “${v.credential.label}”: tokens issued from it are refused from now on.`);
      return refresh();
    },
  });

  const rotate = useMutation({
    mutationFn: (v: { credential: Credential; overlapUntil: string | null }) =>
      consoleApi("POST", "/t/[tenant]/agents/[agentId]/credentials/[credentialId]/rotate", {
        params: { ...params, credentialId: v.credential.id },
        body: v.overlapUntil ? { overlapUntil: v.overlapUntil } : {},
      }),
    onSuccess: (r) => {
      setSecret({ value: r.clientSecret, label: r.credential.label });
      setNotice(r.retired.revokedAt ? "Rotated: the old secret no longer works." : "Rotated: the old secret keeps working until its expiry, then stops.");
      return refresh();
    },
  });

  async function confirm() {
    if (!pending) return;
    if (pending.kind !== "rotate" && reason.trim().length < 3) throw new Error("Say why (at least 3 characters). The reason goes to the audit log.");
    setNotice(null);
    if (pending.kind === "status") {
      await changeStatus.mutateAsync({ status: pending.status, reason: reason.trim() });
    } else if (pending.kind === "revoke") {
      await revoke.mutateAsync({ credential: pending.credential, reason: reason.trim() });
    } else {
      let overlapUntil: string | null = null;
      if (retire === "later") {
        overlapUntil = isoFromLocalInput(retireAt);
        if (!overlapUntil) throw new Error("Choose until when the old secret stays valid.");
      }
      await rotate.mutateAsync({ credential: pending.credential, overlapUntil });
    }
  }

  const credentialLabel = new Map(agent.credentials.map((c) => [c.id, c.label]));

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-xs text-slate-500">
        <Link href={`/t/${slug}/agents`} className="hover:text-slate-800 hover:underline">
          Agents
        </Link>{" "}
        / <span aria-current="page">{agent.name}</span>
      </nav>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4 border-b border-slate-200 pb-4">
        <div className="min-w-0">
          <div className="flex items-center gap-2.5">
            <h1 className="font-mono text-xl font-semibold tracking-tight text-slate-900">{agent.name}</h1>
            <span data-testid="agent-status">
              <StatusBadge status={agent.status} />
            </span>
            <CoverageBadge coverage={coverage} />
          </div>
          {agent.statusReason ? (
            <p className="mt-1 text-sm text-slate-700" data-testid="agent-status-reason">
              <span className="font-medium">{REASON_PREFIX[agent.status]}:</span> {agent.statusReason}
            </p>
          ) : null}
          {agent.description ? <p className="mt-1 max-w-3xl text-sm text-slate-600">{agent.description}</p> : null}
        </div>
        {manageable ? (
          <div className="flex items-center gap-2">
            <Button variant="secondary" onClick={() => setEditing(true)} disabled={editing}>
              Edit
            </Button>
            {agent.status === "active" ? (
              <Button variant="secondary" onClick={() => open({ kind: "status", status: "suspended" })}>
                Suspend
              </Button>
            ) : (
              <Button variant="secondary" onClick={() => open({ kind: "status", status: "active" })}>
                Reactivate
              </Button>
            )}
            <Button variant="secondary" className="text-red-700!" onClick={() => open({ kind: "status", status: "decommissioned" })}>
              Decommission
            </Button>
          </div>
        ) : null}
      </div>

      <div className="space-y-6">
        {notice ? (
          <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-inset ring-emerald-200">
            {notice}
          </p>
        ) : null}
        {agent.status === "decommissioned" ? (
          <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700 ring-1 ring-inset ring-slate-200">
            This agent is decommissioned: its credentials are revoked and it cannot act again. It is kept, with its history, for the record.
          </p>
        ) : null}

        {editing ? (
          <Card title="Edit agent">
            <AgentForm
              mode="edit"
              slug={slug}
              me={me}
              agent={agent}
              onCancel={() => setEditing(false)}
              onSaved={(changed) => {
                setEditing(false);
                setNotice(changed ? "Saved. The change is in the audit log." : "Nothing changed.");
                void refresh();
              }}
            />
          </Card>
        ) : (
          <Card title="Details">
            <dl className="grid gap-x-8 gap-y-3 text-sm md:grid-cols-2">
              <Fact label="Owner">
                {agent.owner.name && agent.owner.name !== "unknown" ? (
                  <>
                    {agent.owner.name} <span className="text-slate-500">{agent.owner.email}</span>
                  </>
                ) : (
                  agent.owner.email
                )}
              </Fact>
              <Fact label="Environment">{agent.environment}</Fact>
              <Fact label="Labels">
                {agent.labels.length === 0 ? (
                  <span className="text-slate-400">none</span>
                ) : (
                  <span className="flex flex-wrap gap-1">
                    {agent.labels.map((l) => (
                      <Badge key={l}>{l}</Badge>
                    ))}
                  </span>
                )}
              </Fact>
              <Fact label="Token lifetime">{plural(agent.tokenTtlMinutes, "minute")}</Fact>
              <Fact label="Created">
                <Time value={agent.createdAt} />
              </Fact>
              <Fact label="Last seen">
                <Time value={agent.lastSeenAt} />
              </Fact>
              <Fact label="Client id">
                <span className="flex items-center gap-2">
                  <code className="select-all font-mono text-xs text-slate-900" data-testid="client-id">
                    {agent.id}
                  </code>
                  <CopyButton value={agent.id} label="Copy client id" />
                </span>
              </Fact>
              <Fact label="Token endpoint">
                <span className="flex items-center gap-2">
                  <code className="min-w-0 select-all break-all font-mono text-xs text-slate-900">{tokenEndpoint}</code>
                  <CopyButton value={tokenEndpoint} label="Copy token endpoint" />
                </span>
              </Fact>
            </dl>
          </Card>
        )}

        <section aria-labelledby="credentials-title" className="space-y-3">
          <div className="flex items-center justify-between">
            <h2 id="credentials-title" className="text-sm font-semibold text-slate-900">
              Credentials <span className="font-normal text-slate-500">· {liveCredentials} live</span>
            </h2>
            {manageable && !adding ? (
              <Button
                size="sm"
                onClick={() => {
                  setAdding(true);
                  setNotice(null);
                }}
              >
                Add credential
              </Button>
            ) : null}
          </div>
          {secret ? (
            <NewClientSecret secret={secret.value} label={secret.label} clientId={agent.id} tokenEndpoint={tokenEndpoint} onDismiss={() => setSecret(null)} />
          ) : null}
          {adding ? (
            <AddCredentialForm
              slug={slug}
              agentId={agent.id}
              onCancel={() => setAdding(false)}
              onCreated={(created) => {
                setAdding(false);
                if (created.clientSecret) setSecret({ value: created.clientSecret, label: created.credential.label });
                setNotice(`Added ${KIND_LABEL[created.credential.kind].toLowerCase()} “${created.credential.label}”.`);
                void refresh();
              }}
            />
          ) : null}
          <CredentialsTable credentials={agent.credentials} now={now} canManage={manageable} onRotate={(c) => open({ kind: "rotate", credential: c })} onRevoke={(c) => open({ kind: "revoke", credential: c })} />
        </section>

        {mcp}

        <div className="space-y-6">
          <section aria-labelledby="tokens-title" className="space-y-3">
            <h2 id="tokens-title" className="text-sm font-semibold text-slate-900">
              Recent tokens <span className="font-normal text-slate-500">· {agent.tokens24h} in the last 24 h</span>
            </h2>
            <Table label="Recent tokens">
              <thead>
                <tr>
                  <Th>Issued</Th>
                  <Th>Grant</Th>
                  <Th>Source IP</Th>
                  <Th>Expires</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {agent.recentTokens.length === 0 ? (
                  <tr>
                    <Td colSpan={4} className="py-6 text-center text-slate-500">
                      No tokens issued yet.
                    </Td>
                  </tr>
                ) : (
                  agent.recentTokens.map((t) => (
                    <tr key={t.jti}>
                      <Td>
                        <Time value={t.issuedAt} />
                      </Td>
                      <Td>
                        <div>{GRANT_LABEL[t.grantType] ?? t.grantType}</div>
                        <div className="text-xs text-slate-500">{credentialLabel.get(t.credentialId) ?? t.credentialId}</div>
                      </Td>
                      <Td className="font-mono text-xs">{t.sourceIp ?? "—"}</Td>
                      <Td>
                        <Time value={t.expiresAt} />
                      </Td>
                    </tr>
                  ))
                )}
              </tbody>
            </Table>
          </section>

          <section aria-labelledby="history-title" className="space-y-3">
            <h2 id="history-title" className="text-sm font-semibold text-slate-900">
              History
            </h2>
            {agent.history.length === 0 ? (
              <p className="rounded-lg border border-slate-200 bg-white px-4 py-6 text-center text-sm text-slate-500">No audit entries yet.</p>
            ) : (
              <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm" aria-label="Audit entries for this agent">
                {agent.history.map((e) => (
                  <li key={e.seq} className="px-3 py-2" data-testid="history-entry">
                    <div className="flex items-baseline justify-between gap-3">
                      <span className="min-w-0 truncate">
                        <span className="font-mono text-xs text-slate-900">{e.action}</span> <span className="text-xs text-slate-500">by {e.actorLabel}</span>
                      </span>
                      <span className="shrink-0 text-xs text-slate-500">
                        <Time value={e.createdAt} />
                      </span>
                    </div>
                    {e.after !== null && e.after !== undefined ? (
                      <details className="mt-1">
                        <summary className="cursor-pointer text-xs text-slate-500 hover:text-slate-800">Details (#{e.seq})</summary>
                        <pre className="mt-1 max-h-56 overflow-auto rounded-md bg-slate-50 p-2 font-mono text-[11px] text-slate-800 ring-1 ring-slate-200">
                          {JSON.stringify(e.after, null, 2)}
                        </pre>
                      </details>
                    ) : null}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      </div>

      <ConfirmDialog
        open={pending !== null}
        onClose={() => setPending(null)}
        onConfirm={confirm}
        tone={pending?.kind === "rotate" || (pending?.kind === "status" && pending.status === "active") ? "primary" : "danger"}
        title={
          pending?.kind === "status"
            ? pending.status === "suspended"
              ? `Suspend ${agent.name}?`
              : pending.status === "active"
                ? `Reactivate ${agent.name}?`
                : `Decommission ${agent.name}?`
            : pending?.kind === "revoke"
              ? "Revoke credential?"
              : "Rotate client secret?"
        }
        confirmLabel={
          pending?.kind === "status"
            ? pending.status === "suspended"
              ? "Suspend agent"
              : pending.status === "active"
                ? "Reactivate agent"
                : "Decommission for good"
            : pending?.kind === "revoke"
              ? "Revoke credential"
              : "Rotate secret"
        }
      >
        {pending?.kind === "status" ? (
          <div className="space-y-3">
            {pending.status === "suspended" ? (
              <p>
                <strong>{agent.name}</strong> stops at once: its tokens are refused within a second, it gets no new ones, its pending approvals are cancelled
                and its running runs are terminated. You can reactivate it later.
              </p>
            ) : pending.status === "active" ? (
              <p>
                <strong>{agent.name}</strong> may get tokens and act again, within its policies.
              </p>
            ) : (
              <p>
                <strong>This is final.</strong> {agent.name} stops at once and can never be reactivated or edited; {plural(liveCredentials, "live credential")}{" "}
                {liveCredentials === 1 ? "is" : "are"} revoked. Its name, history and audit trail are kept for the record, so the name cannot be reused.
              </p>
            )}
            <ReasonField value={reason} onChange={setReason} />
          </div>
        ) : pending?.kind === "revoke" ? (
          <div className="space-y-3">
            <p>
              <strong>{pending.credential.label}</strong> ({KIND_LABEL[pending.credential.kind].toLowerCase()}) stops authenticating at once and tokens issued
              from it are refused within a second. This cannot be undone.
            </p>
            <ReasonField value={reason} onChange={setReason} />
          </div>
        ) : pending?.kind === "rotate" ? (
          <div className="space-y-3">
            <p>
              A new secret replaces <strong>{pending.credential.label}</strong> and is shown once. What happens to the old secret?
            </p>
            <fieldset className="space-y-2">
              <legend className="sr-only">The old secret</legend>
              <label className="flex items-start gap-2">
                <input type="radio" name="retire" checked={retire === "now"} onChange={() => setRetire("now")} className="mt-1" />
                <span>
                  <span className="font-medium text-slate-900">Revoke it now</span>
                  <span className="block text-xs">Agents still using it fail from now on.</span>
                </span>
              </label>
              <label className="flex items-start gap-2">
                <input type="radio" name="retire" checked={retire === "later"} onChange={() => setRetire("later")} className="mt-1" />
                <span>
                  <span className="font-medium text-slate-900">Keep it valid until…</span>
                  <span className="block text-xs">Time for deployed agents to switch (at most 30 days).</span>
                </span>
              </label>
            </fieldset>
            {retire === "later" ? (
              <Field label="Old secret valid until (your time zone)">
                {(id) => <Input id={id} type="datetime-local" value={retireAt} onChange={(e) => setRetireAt(e.target.value)} />}
              </Field>
            ) : null}
          </div>
        ) : null}
      </ConfirmDialog>
    </>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[8rem_1fr] items-baseline gap-3">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="min-w-0 text-slate-900">{children}</dd>
    </div>
  );
}

function ReasonField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <Field label="Reason" hint="Recorded in the audit log with your name.">
      {(id) => <Input id={id} value={value} onChange={(e) => onChange(e.target.value)} maxLength={500} autoComplete="off" required />}
    </Field>
  );
}
