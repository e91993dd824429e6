"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, consoleApi } from "@/components/api";
import { fieldErrors } from "@/components/agents/format";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input, Select } from "@/components/ui/field";
import { CONNECTION_KINDS, KIND_LABEL, type Connection, type ConnectionKind } from "./types";

const FIELDS = ["name", "kind", "secret", "headerName", "username", "tokenUrl", "clientId", "scopes", "allowedHosts"] as const;

const SECRET_LABEL: Record<ConnectionKind, string> = { bearer: "Token", api_key: "API key", basic: "Password", oauth2_client_credentials: "Client secret" };

/** Hosts typed as "api.example.com, api.example.com:8443" or one per line. */
export const parseHosts = (text: string) => text.split(/[\s,]+/).map((h) => h.trim()).filter(Boolean);

/**
 * Stores a credential (POST connections). The secret field is write-only: it is sent once,
 * sealed by the server, and never shown again, not even in part.
 */
export function ConnectionForm({ slug, onSaved, onCancel }: { slug: string; onSaved: (c: Connection) => void; onCancel: () => void }) {
  const [v, setV] = useState({ name: "", kind: "bearer" as ConnectionKind, secret: "", headerName: "", username: "", tokenUrl: "", clientId: "", scopes: "", hosts: "" });
  const set = (key: keyof typeof v) => (e: { target: { value: string } }) => setV((prev) => ({ ...prev, [key]: e.target.value }));
  const save = useMutation({
    mutationFn: () => {
      const optional = (key: "headerName" | "username" | "tokenUrl" | "clientId" | "scopes") => (v[key].trim() ? { [key]: v[key].trim() } : {});
      return consoleApi("POST", "/t/[tenant]/connections", {
        params: { tenant: slug },
        body: {
          name: v.name,
          kind: v.kind,
          secret: v.secret,
          allowedHosts: parseHosts(v.hosts),
          ...(v.kind !== "basic" && optional("headerName")),
          ...(v.kind === "basic" && optional("username")),
          ...(v.kind === "oauth2_client_credentials" && { ...optional("tokenUrl"), ...optional("clientId"), ...optional("scopes") }),
        },
      });
    },
    onSuccess: (answer) => onSaved(answer.connection),
  });
  const errors = fieldErrors(save.error, FIELDS);
  if (save.error instanceof ApiError && save.error.code === "conflict") {
    errors.fields.name = save.error.message;
    errors.message = null;
  }
  const hostError = Object.entries(errors.fields).find(([k]) => k === "allowedHosts")?.[1];

  return (
    <form
      noValidate
      aria-label="New connection"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Name" error={errors.fields.name} hint="e.g. stripe-live">
          {(id) => <Input id={id} value={v.name} onChange={set("name")} autoComplete="off" spellCheck={false} autoFocus aria-invalid={errors.fields.name ? true : undefined} />}
        </Field>
        <Field label="Kind" error={errors.fields.kind}>
          {(id) => (
            <Select id={id} value={v.kind} onChange={set("kind")}>
              {CONNECTION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABEL[k]}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      {v.kind === "basic" ? (
        <Field label="Username" error={errors.fields.username}>
          {(id) => <Input id={id} value={v.username} onChange={set("username")} autoComplete="off" />}
        </Field>
      ) : null}
      {v.kind === "oauth2_client_credentials" ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Token URL" error={errors.fields.tokenUrl}>
            {(id) => <Input id={id} value={v.tokenUrl} onChange={set("tokenUrl")} placeholder="https://auth.example.com/oauth/token" autoComplete="off" />}
          </Field>
          <Field label="Client id" error={errors.fields.clientId}>
            {(id) => <Input id={id} value={v.clientId} onChange={set("clientId")} autoComplete="off" />}
          </Field>
          <Field label="Scopes" error={errors.fields.scopes} hint="Space separated; optional.">
            {(id) => <Input id={id} value={v.scopes} onChange={set("scopes")} autoComplete="off" />}
          </Field>
        </div>
      ) : null}
      <Field label={SECRET_LABEL[v.kind]} error={errors.fields.secret} hint="Write-only: stored encrypted, never shown again, not even in part.">
        {(id) => <Input id={id} type="password" value={v.secret} onChange={set("secret")} autoComplete="new-password" spellCheck={false} className="font-mono" aria-invalid={errors.fields.secret ? true : undefined} />}
      </Field>
      {v.kind !== "basic" ? (
        <Field label="Header" error={errors.fields.headerName} hint={v.kind === "api_key" ? "The header the key is sent in, e.g. X-Api-Key." : "Optional; Authorization (Bearer …) unless you name another."}>
          {(id) => <Input id={id} value={v.headerName} onChange={set("headerName")} placeholder={v.kind === "api_key" ? "X-Api-Key" : "Authorization"} autoComplete="off" spellCheck={false} className="font-mono" />}
        </Field>
      ) : null}
      <Field label="Allowed hosts" error={hostError} hint="The only hosts this credential is ever sent to: host or host:port, comma separated.">
        {(id) => <Input id={id} value={v.hosts} onChange={set("hosts")} placeholder="api.stripe.com" autoComplete="off" spellCheck={false} className="font-mono" aria-invalid={hostError ? true : undefined} />}
      </Field>
      <FormError message={errors.message} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={save.isPending}>
          Cancel
        </Button>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Storing…" : "Store connection"}
        </Button>
      </div>
    </form>
  );
}

const OVERLAPS = [
  { seconds: 0, label: "None: the old secret stops working now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "1 day" },
  { seconds: 7 * 86_400, label: "7 days (the longest)" },
];

/** Replaces a connection's secret; with an overlap the previous one is still tried while it lasts. */
export function RotateForm({ slug, connection, onSaved, onCancel }: { slug: string; connection: Connection; onSaved: (c: Connection) => void; onCancel: () => void }) {
  const [secret, setSecret] = useState("");
  const [overlap, setOverlap] = useState(0);
  const rotate = useMutation({
    mutationFn: () => consoleApi("POST", "/t/[tenant]/connections/[connectionId]/rotate", { params: { tenant: slug, connectionId: connection.id }, body: { secret, overlapSeconds: overlap } }),
    onSuccess: (answer) => onSaved(answer.connection),
  });
  const errors = fieldErrors(rotate.error, ["secret", "overlapSeconds"]);
  return (
    <form
      noValidate
      aria-label={`Rotate ${connection.name}`}
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        rotate.mutate();
      }}
    >
      <p className="text-sm text-slate-600">
        Calls through the gateway use the new secret at once. Used by {connection.usedBy.length ? connection.usedBy.map((t) => t.toolName).join(", ") : "no tool yet"}.
      </p>
      <Field label="New secret" error={errors.fields.secret} hint="Write-only, like the first one.">
        {(id) => <Input id={id} type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" spellCheck={false} className="font-mono" autoFocus />}
      </Field>
      <Field label="Overlap" error={errors.fields.overlapSeconds} hint="While it lasts, a call the upstream refuses with the new secret is retried once with the previous one.">
        {(id) => (
          <Select id={id} value={overlap} onChange={(e) => setOverlap(Number(e.target.value))}>
            {OVERLAPS.map((o) => (
              <option key={o.seconds} value={o.seconds}>
                {o.label}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <FormError message={errors.message} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={rotate.isPending}>
          Cancel
        </Button>
        <Button type="submit" variant="danger" disabled={rotate.isPending || !secret}>
          {rotate.isPending ? "Rotating…" : "Rotate secret"}
        </Button>
      </div>
    </form>
  );
}
