"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { consoleApi } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Icons } from "@/components/ui/icons";
import { EmptyState } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { ConnectionForm, RotateForm } from "./connection-form";
import { Modal } from "./modal";
import { KIND_LABEL, type Connection, type TestResult } from "./types";

type Pending = { kind: "disable" | "enable" | "delete"; connection: Connection } | null;

/**
 * Settings → Connections: the credential vault. Admins store a credential (write-only),
 * test whether the upstream accepts it, rotate it (optionally overlapping), disable or
 * enable it, and delete it when no tool uses it. Every change is in the audit log.
 */
export function ConnectionsPanel({ slug, initial, initialEnforce, now }: { slug: string; initial: Connection[]; initialEnforce: boolean; now: number }) {
  const queryClient = useQueryClient();
  const key = ["connections", slug];
  const query = useQuery({ queryKey: key, queryFn: () => consoleApi("GET", "/t/[tenant]/connections", { params: { tenant: slug } }).then((r) => r.connections), initialData: initial, initialDataUpdatedAt: now });
  const connections = query.data;
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<Connection | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [results, setResults] = useState<Record<string, TestResult & { error?: boolean }>>({});

  // A connection no tool uses yet is tested against a URL the admin gives (within its hosts).
  const [testUrlFor, setTestUrlFor] = useState<Connection | null>(null);
  const [testUrl, setTestUrl] = useState("");
  const test = useMutation({
    mutationFn: (v: { connection: Connection; url?: string }) =>
      consoleApi("POST", "/t/[tenant]/connections/[connectionId]/test", { params: { tenant: slug, connectionId: v.connection.id }, body: v.url ? { url: v.url } : {} }),
    onSuccess: (result, v) => {
      setResults((r) => ({ ...r, [v.connection.id]: result }));
      return refresh();
    },
    onError: (error, v) => setResults((r) => ({ ...r, [v.connection.id]: { ok: false, message: (error as Error).message, error: true } })),
  });
  function startTest(c: Connection) {
    if (c.usedBy.length > 0) return test.mutate({ connection: c });
    setTestUrl(`https://${c.allowedHosts[0] ?? ""}/`);
    setTestUrlFor(c);
  }
  const change = useMutation({
    mutationFn: async (p: NonNullable<Pending>) => {
      const params = { tenant: slug, connectionId: p.connection.id };
      if (p.kind === "delete") await consoleApi("DELETE", "/t/[tenant]/connections/[connectionId]", { params });
      else await consoleApi("PATCH", "/t/[tenant]/connections/[connectionId]", { params, body: { status: p.kind === "disable" ? "disabled" : "active" } });
    },
    onSuccess: (_data, p) => {
      setNotice(p.kind === "delete" ? `Deleted ${p.connection.name}.` : p.kind === "disable" ? `Disabled ${p.connection.name}: gateway calls that need it now fail without reaching the upstream.` : `Enabled ${p.connection.name}.`);
      return refresh();
    },
  });

  function saved(message: string) {
    setCreating(false);
    setRotating(null);
    setNotice(message);
    void refresh();
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="max-w-3xl text-sm text-slate-600">
          Credentials the gateway injects when it calls a tool for an agent, so the agent never holds them. Each is sent only to its allowed hosts. Give a tool an upstream and a connection in the{" "}
          <Link href={`/t/${slug}/policies/tools`} className="text-brand-700 hover:underline">
            tool registry
          </Link>{" "}
          to make it enforced.
        </p>
        <Button onClick={() => setCreating(true)}>New connection</Button>
      </div>

      {notice ? (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-inset ring-emerald-200">
          {notice}
        </p>
      ) : null}

      {connections.length === 0 ? (
        <EmptyState icon={<Icons.shield className="h-8 w-8" />} title="No connections yet" action={<Button onClick={() => setCreating(true)}>Store the first credential</Button>}>
          Move an agent&apos;s API keys here: Gatehouse keeps them encrypted, injects them into the calls it allows, and the agent calls the tool through the gateway instead of holding the key
          (docs/GATEWAY.md).
        </EmptyState>
      ) : (
        <Table label="Connections">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Kind</Th>
              <Th>Hosts</Th>
              <Th>Status</Th>
              <Th>Last used</Th>
              <Th>Last test</Th>
              <Th>Used by</Th>
              <Th className="text-right">Actions</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {connections.map((c) => {
              const result = results[c.id];
              return (
                <tr key={c.id} data-testid={`connection-${c.name}`}>
                  <Td>
                    <div className="font-medium text-slate-900">{c.name}</div>
                    <div className="text-xs text-slate-500">
                      secret set{c.keyId ? <> · key {c.keyId}</> : null}
                      {c.rotatedAt ? (
                        <>
                          {" "}
                          · rotated <Time value={c.rotatedAt} />
                        </>
                      ) : null}
                    </div>
                    {c.previousValidUntil ? (
                      <div className="text-xs text-amber-800">
                        previous secret valid until <Time value={c.previousValidUntil} />
                      </div>
                    ) : null}
                  </Td>
                  <Td className="text-xs">
                    {KIND_LABEL[c.kind]}
                    {c.headerName && c.headerName.toLowerCase() !== "authorization" ? <div className="font-mono text-slate-500">{c.headerName}</div> : null}
                    {c.username ? <div className="text-slate-500">user {c.username}</div> : null}
                  </Td>
                  <Td>
                    <ul className="space-y-0.5 font-mono text-xs">
                      {c.allowedHosts.map((h) => (
                        <li key={h}>{h}</li>
                      ))}
                    </ul>
                  </Td>
                  <Td>
                    <Badge tone={c.status === "active" ? "green" : "neutral"}>{c.status === "active" ? "Active" : "Disabled"}</Badge>
                    {c.lastFailureAt ? (
                      <div className="mt-1 max-w-56 text-xs text-red-700">
                        {c.lastFailureMessage ?? "Failed"} (<Time value={c.lastFailureAt} />)
                      </div>
                    ) : null}
                  </Td>
                  <Td className="text-xs">{c.lastUsedAt ? <Time value={c.lastUsedAt} /> : <span className="text-slate-400">never</span>}</Td>
                  <Td className="text-xs">
                    <div aria-live="polite" data-testid="test-result">
                      {result ? (
                        <TestOutcome ok={result.ok} message={`${result.message}${result.latencyMs !== undefined ? ` · ${result.latencyMs} ms` : ""}`} />
                      ) : c.lastTestedAt ? (
                        <>
                          <TestOutcome ok={Boolean(c.lastTestOk)} message={c.lastTestMessage ?? ""} />
                          <div className="text-slate-500">
                            <Time value={c.lastTestedAt} />
                          </div>
                        </>
                      ) : (
                        <span className="text-slate-400">not tested</span>
                      )}
                    </div>
                  </Td>
                  <Td className="text-xs">{c.usedBy.length ? c.usedBy.map((t) => t.toolName).join(", ") : <span className="text-slate-400">no tool</span>}</Td>
                  <Td className="whitespace-nowrap text-right">
                    <Button size="sm" variant="secondary" onClick={() => startTest(c)} disabled={test.isPending && test.variables?.connection.id === c.id} aria-label={`Test ${c.name}`}>
                      {test.isPending && test.variables?.connection.id === c.id ? "Testing…" : "Test"}
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setRotating(c)} aria-label={`Rotate ${c.name}`}>
                      Rotate
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setPending({ kind: c.status === "active" ? "disable" : "enable", connection: c })} aria-label={`${c.status === "active" ? "Disable" : "Enable"} ${c.name}`}>
                      {c.status === "active" ? "Disable" : "Enable"}
                    </Button>
                    <Button size="sm" variant="ghost" className="text-red-700!" onClick={() => setPending({ kind: "delete", connection: c })} aria-label={`Delete ${c.name}`}>
                      Delete
                    </Button>
                  </Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}

      <GatewaySetting slug={slug} initial={initialEnforce} />

      <Modal open={creating} title="New connection" onClose={() => setCreating(false)}>
        <ConnectionForm slug={slug} onSaved={(c) => saved(`Stored ${c.name}. Its secret is encrypted and will not be shown again. Test it, then use it on a tool's upstream.`)} onCancel={() => setCreating(false)} />
      </Modal>
      <Modal open={testUrlFor !== null} title={testUrlFor ? `Test ${testUrlFor.name}` : "Test"} onClose={() => setTestUrlFor(null)}>
        <form
          className="space-y-3"
          aria-label="Test against a URL"
          onSubmit={(e) => {
            e.preventDefault();
            if (testUrlFor) test.mutate({ connection: testUrlFor, url: testUrl.trim() });
            setTestUrlFor(null);
          }}
        >
          <Field label="URL" hint="No tool uses this connection yet. Gatehouse sends an authenticated GET here; it must be on one of the allowed hosts.">
            {(id) => <Input id={id} value={testUrl} onChange={(e) => setTestUrl(e.target.value)} autoFocus spellCheck={false} className="font-mono" />}
          </Field>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setTestUrlFor(null)}>
              Cancel
            </Button>
            <Button type="submit" disabled={!testUrl.trim()}>
              Send test request
            </Button>
          </div>
        </form>
      </Modal>
      <Modal open={rotating !== null} title={rotating ? `Rotate ${rotating.name}?` : "Rotate"} onClose={() => setRotating(null)}>
        {rotating ? <RotateForm slug={slug} connection={rotating} onSaved={(c) => saved(`Rotated ${c.name}.${c.previousValidUntil ? " The previous secret still works during the overlap." : ""}`)} onCancel={() => setRotating(null)} /> : null}
      </Modal>
      <ConfirmDialog
        open={pending !== null}
        title={pending ? `${pending.kind === "delete" ? "Delete" : pending.kind === "disable" ? "Disable" : "Enable"} ${pending.connection.name}?` : ""}
        confirmLabel={pending?.kind === "delete" ? "Delete connection" : pending?.kind === "disable" ? "Disable connection" : "Enable connection"}
        tone={pending?.kind === "enable" ? "primary" : "danger"}
        onConfirm={() => (pending ? change.mutateAsync(pending) : Promise.resolve())}
        onClose={() => setPending(null)}
      >
        {pending?.kind === "delete"
          ? pending.connection.usedBy.length
            ? `It is used by ${pending.connection.usedBy.map((t) => t.toolName).join(", ")}: remove it from those upstreams first.`
            : "The encrypted secret is destroyed. The audit log keeps the connection's history."
          : pending?.kind === "disable"
            ? `Gateway calls of ${pending.connection.usedBy.map((t) => t.toolName).join(", ") || "its tools"} will fail without reaching the upstream, and those tools count as advisory until it is enabled again.`
            : "Gateway calls use it again at once."}
      </ConfirmDialog>
    </div>
  );
}

function TestOutcome({ ok, message }: { ok: boolean; message: string }) {
  return (
    <div className={ok ? "text-emerald-800" : "text-red-700"}>
      <span className="font-medium">{ok ? "Accepted" : "Failed"}</span>
      {message ? <span className="block max-w-56">{message}</span> : null}
    </div>
  );
}

/** The tenant setting: decisions-only use of an enforced tool is denied (reason gateway_required). */
function GatewaySetting({ slug, initial }: { slug: string; initial: boolean }) {
  const [enforce, setEnforce] = useState(initial);
  const save = useMutation({
    mutationFn: (next: boolean) => consoleApi("PATCH", "/t/[tenant]/connections/settings", { params: { tenant: slug }, body: { enforceGatewayForEnforcedTools: next } }),
    onSuccess: (answer) => setEnforce(answer.enforceGatewayForEnforcedTools),
  });
  return (
    <section aria-labelledby="gateway-setting" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="gateway-setting" className="text-sm font-semibold text-slate-900">
        Gateway only for enforced tools
      </h2>
      <label className="mt-2 flex items-start gap-2 text-sm text-slate-700">
        <input type="checkbox" className="mt-0.5" checked={enforce} disabled={save.isPending} onChange={(e) => save.mutate(e.target.checked)} />
        <span>
          Deny a decision (POST /api/v1/decisions) for a tool whose calls go through the gateway, with reason <code className="text-xs">gateway_required</code>, so an agent cannot ask and then call
          the tool directly with a leaked key.
        </span>
      </label>
      {save.error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {(save.error as Error).message}
        </p>
      ) : null}
    </section>
  );
}
