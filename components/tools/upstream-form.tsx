"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { consoleApi } from "@/components/api";
import { fieldErrors } from "@/components/agents/format";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input, Select } from "@/components/ui/field";
import type { Tool } from "./types";

const FIELDS = ["upstream"] as const;

/**
 * A tool's upstream: the base URL the gateway calls, the connection whose credential it
 * injects (sent only to that connection's hosts), the timeout and the response size cap.
 * An HTTP upstream maps each operation to a method and path; an MCP upstream is called with
 * tools/call under the operation's name.
 * Removing it makes the tool advisory again.
 */
export function UpstreamForm({ slug, tool, onSaved, onCancel }: { slug: string; tool: Tool; onSaved: (message: string) => void; onCancel: () => void }) {
  const connections = useQuery({ queryKey: ["connections", slug], queryFn: () => consoleApi("GET", "/t/[tenant]/connections", { params: { tenant: slug } }).then((r) => r.connections) });
  const [kind, setKind] = useState(tool.upstream?.kind ?? "http");
  const [baseUrl, setBaseUrl] = useState(tool.upstream?.baseUrl ?? "");
  const [connectionId, setConnectionId] = useState(tool.upstream?.connectionId ?? "");
  const [timeoutMs, setTimeoutMs] = useState(String(tool.upstream?.timeoutMs ?? 10_000));
  const [maxKib, setMaxKib] = useState(String(Math.round((tool.upstream?.maxResponseBytes ?? 1024 * 1024) / 1024)));

  const save = useMutation({
    mutationFn: async (remove: boolean) => {
      const upstream = remove ? null : { kind, baseUrl: baseUrl.trim(), connectionId, timeoutMs: Number(timeoutMs), maxResponseBytes: Number(maxKib) * 1024 };
      await consoleApi("PATCH", "/t/[tenant]/tools/[toolId]", { params: { tenant: slug, toolId: tool.id }, body: { upstream } });
      if (remove) return `Removed the upstream of ${tool.name}: it is advisory again.`;
      return kind === "mcp"
        ? `Saved the upstream of ${tool.name}: each operation is called as the MCP tool of the same name.`
        : `Saved the upstream of ${tool.name}. Map each operation to a method and path so the gateway can call it.`;
    },
    onSuccess: onSaved,
  });
  const errors = fieldErrors(save.error, FIELDS);
  const detail = (suffix: string) =>
    (save.error as { details?: { path: string; message: string }[] } | null)?.details?.find?.((d) => d.path === `upstream.${suffix}`)?.message;

  return (
    <form
      noValidate
      aria-label={`Upstream of ${tool.name}`}
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(false);
      }}
    >
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Kind" error={detail("kind")} hint={kind === "mcp" ? "A remote MCP server (Streamable HTTP): Gatehouse calls tools/call as an MCP client." : "An HTTP API: each operation maps to a method and path."}>
          {(id) => (
            <Select id={id} value={kind} onChange={(e) => setKind(e.target.value as "http" | "mcp")}>
              <option value="http">HTTP API</option>
              <option value="mcp">MCP server (Streamable HTTP)</option>
            </Select>
          )}
        </Field>
        <Field
          label={kind === "mcp" ? "MCP endpoint URL" : "Base URL"}
          error={detail("baseUrl")}
          hint={kind === "mcp" ? "The server's MCP endpoint, e.g. https://mcp.example.com/mcp." : "HTTP upstream, e.g. https://api.stripe.com. Operation paths are appended to it."}
        >
          {(id) => <Input id={id} value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder={kind === "mcp" ? "https://mcp.example.com/mcp" : "https://api.example.com"} autoComplete="off" spellCheck={false} className="font-mono" />}
        </Field>
        <Field label="Connection" error={detail("connectionId")} hint={connections.isError ? (connections.error as Error).message : "The credential injected into each call; sent only to its allowed hosts."}>
          {(id) => (
            <Select id={id} value={connectionId} onChange={(e) => setConnectionId(e.target.value)}>
              <option value="">Choose a connection…</option>
              {(connections.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.allowedHosts.join(", ")}){c.status === "disabled" ? " — disabled" : ""}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Timeout (ms)" error={detail("timeoutMs")} hint="100 to 120000; a slower upstream answers 504 upstream_timeout.">
          {(id) => <Input id={id} type="number" min={100} max={120000} value={timeoutMs} onChange={(e) => setTimeoutMs(e.target.value)} />}
        </Field>
        <Field label="Response size cap (KiB)" error={detail("maxResponseBytes")} hint="Larger answers are cut and marked truncated.">
          {(id) => <Input id={id} type="number" min={1} max={16384} value={maxKib} onChange={(e) => setMaxKib(e.target.value)} />}
        </Field>
      </div>
      {connections.data && connections.data.length === 0 ? (
        <p className="text-xs text-slate-600">
          No connections yet:{" "}
          <Link href={`/t/${slug}/settings/connections`} className="text-brand-700 hover:underline">
            store a credential in Settings → Connections
          </Link>{" "}
          first.
        </p>
      ) : null}
      <FormError message={errors.message} />
      <div className="flex items-center gap-2">
        <Button type="submit" disabled={save.isPending || !connectionId || !baseUrl.trim()}>
          {save.isPending ? "Saving…" : "Save upstream"}
        </Button>
        {tool.upstream ? (
          <Button variant="ghost" className="text-red-700!" onClick={() => save.mutate(true)} disabled={save.isPending}>
            Remove upstream
          </Button>
        ) : null}
        <Button variant="ghost" onClick={onCancel} disabled={save.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
