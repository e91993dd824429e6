"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { consoleApi, type ConsoleAnswer } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, FormError, Input, inputClass } from "@/components/ui/field";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { fieldErrors, formatDuration, isoFromLocalInput } from "./format";
import type { Credential, CredentialKind } from "./types";

export const KIND_LABEL: Record<CredentialKind, string> = {
  client_secret: "Client secret",
  public_key: "Public key",
  federated: "Federated identity",
};

const KIND_HELP: Record<CredentialKind, string> = {
  client_secret: "Gatehouse generates a secret and shows it once. Simplest; store it in your secret manager.",
  public_key: "The agent signs a short JWT with its private key (private_key_jwt). Paste the public half; nothing secret is stored.",
  federated: "The agent exchanges its workload identity token (GitHub Actions, Kubernetes, cloud OIDC) for a Gatehouse token. No secret at all.",
};

const FIELDS = ["label", "expiresAt", "publicKey", "issuer", "jwksUrl", "subject", "audience"] as const;

export function CredentialsTable({
  credentials,
  now,
  canManage,
  onRotate,
  onRevoke,
}: {
  credentials: Credential[];
  now: number;
  canManage: boolean;
  onRotate: (c: Credential) => void;
  onRevoke: (c: Credential) => void;
}) {
  return (
    <Table label="Credentials">
      <thead>
        <tr>
          <Th>Kind</Th>
          <Th>Label</Th>
          <Th>Created</Th>
          <Th>Last used</Th>
          <Th>Expires</Th>
          <Th>Status</Th>
          {canManage ? <Th /> : null}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {credentials.length === 0 ? (
          <tr>
            <Td colSpan={canManage ? 7 : 6} className="py-6 text-center text-slate-500">
              No credentials yet: the agent cannot get a token until it has one.
            </Td>
          </tr>
        ) : (
          credentials.map((c) => {
            const expired = Boolean(c.expiresAt && new Date(c.expiresAt).getTime() <= now);
            const live = !c.revokedAt && !expired;
            return (
              <tr key={c.id} data-testid={`credential-${c.id}`} className={live ? undefined : "text-slate-500"}>
                <Td className="whitespace-nowrap">{KIND_LABEL[c.kind]}</Td>
                <Td>
                  <div className="font-medium text-slate-900">{c.label}</div>
                  <CredentialFacts credential={c} />
                </Td>
                <Td>
                  <Time value={c.createdAt} />
                </Td>
                <Td>
                  <Time value={c.lastUsedAt} />
                </Td>
                <Td>{c.expiresAt ? <Time value={c.expiresAt} /> : <span className="text-slate-400">never</span>}</Td>
                <Td>
                  {c.revokedAt ? (
                    <span title={`Revoked ${c.revokedAt}`}>
                      <Badge tone="red">revoked</Badge> <span className="text-xs">({c.revokedReason ?? "no reason given"})</span>
                    </span>
                  ) : expired ? (
                    <Badge>expired</Badge>
                  ) : c.expiresAt ? (
                    <Badge tone="amber">expires in {formatDuration(new Date(c.expiresAt).getTime() - now)}</Badge>
                  ) : (
                    <Badge tone="green">active</Badge>
                  )}
                </Td>
                {canManage ? (
                  <Td className="whitespace-nowrap text-right">
                    {live ? (
                      <>
                        {c.kind === "client_secret" ? (
                          <Button variant="ghost" size="sm" onClick={() => onRotate(c)} aria-label={`Rotate ${c.label}`}>
                            Rotate
                          </Button>
                        ) : null}
                        <Button variant="ghost" size="sm" className="text-red-700!" onClick={() => onRevoke(c)} aria-label={`Revoke ${c.label}`}>
                          Revoke
                        </Button>
                      </>
                    ) : null}
                  </Td>
                ) : null}
              </tr>
            );
          })
        )}
      </tbody>
    </Table>
  );
}

function CredentialFacts({ credential: c }: { credential: Credential }) {
  const facts: [string, string][] =
    c.kind === "public_key"
      ? [
          ["alg", c.algorithm ?? "?"],
          ["kid", c.keyId ?? "none"],
        ]
      : c.kind === "federated"
        ? [
            ["iss", c.issuer ?? ""],
            ["sub", c.subject ?? ""],
            ["aud", c.audience ?? ""],
          ]
        : [["id", c.id]];
  return (
    <dl className="mt-0.5 flex flex-wrap gap-x-3 font-mono text-[11px] text-slate-500">
      {facts.map(([k, v]) => (
        <div key={k} className="flex min-w-0 gap-1">
          <dt>{k}</dt>
          <dd className="max-w-[18rem] truncate" title={v}>
            {v}
          </dd>
        </div>
      ))}
    </dl>
  );
}

type Created = ConsoleAnswer<"POST", "/t/[tenant]/agents/[agentId]/credentials">;

/** The "Add credential" form: the three kinds, each with only the fields it needs. */
export function AddCredentialForm({
  slug,
  agentId,
  onCreated,
  onCancel,
}: {
  slug: string;
  agentId: string;
  onCreated: (created: Created) => void;
  onCancel: () => void;
}) {
  const [kind, setKind] = useState<CredentialKind>("client_secret");
  const [values, setValues] = useState({ label: "", expiresAt: "", publicKey: "", issuer: "", jwksUrl: "", subject: "", audience: "" });
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));

  const add = useMutation({
    mutationFn: () => {
      const common = { label: values.label, expiresAt: isoFromLocalInput(values.expiresAt) };
      const body =
        kind === "client_secret"
          ? { ...common, kind }
          : kind === "public_key"
            ? { ...common, kind, publicKey: values.publicKey }
            : { ...common, kind, issuer: values.issuer.trim(), jwksUrl: values.jwksUrl.trim(), subject: values.subject, audience: values.audience };
      return consoleApi("POST", "/t/[tenant]/agents/[agentId]/credentials", { params: { tenant: slug, agentId }, body });
    },
    onSuccess: onCreated,
  });
  const errors = fieldErrors(add.error, FIELDS);
  const invalid = (key: string) => (errors.fields[key] ? true : undefined);

  return (
    <form
      noValidate
      aria-label="Add a credential"
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <fieldset>
        <legend className="text-xs font-medium text-slate-700">Kind</legend>
        <div className="mt-1.5 grid gap-2 md:grid-cols-3">
          {(Object.keys(KIND_LABEL) as CredentialKind[]).map((k) => (
            <label
              key={k}
              className={`flex cursor-pointer gap-2 rounded-md p-2.5 ring-1 ring-inset ${kind === k ? "bg-brand-50 ring-brand-500" : "ring-slate-200 hover:bg-slate-50"}`}
            >
              <input type="radio" name="credential-kind" value={k} checked={kind === k} onChange={() => setKind(k)} className="mt-0.5" />
              <span>
                <span className="block text-sm font-medium text-slate-900">{KIND_LABEL[k]}</span>
                <span className="block text-xs text-slate-600">{KIND_HELP[k]}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Label" error={errors.fields.label} hint="Where it is used, e.g. prod-k8s or laptop-dev.">
          {(id) => <Input id={id} value={values.label} onChange={set("label")} maxLength={80} required autoComplete="off" aria-invalid={invalid("label")} />}
        </Field>
        <Field label="Expires (optional, your time zone)" error={errors.fields.expiresAt} hint="Leave empty for no expiry.">
          {(id) => <Input id={id} type="datetime-local" value={values.expiresAt} onChange={set("expiresAt")} aria-invalid={invalid("expiresAt")} />}
        </Field>
      </div>

      {kind === "public_key" ? (
        <Field label="Public key (JWK or PEM)" error={errors.fields.publicKey} hint="EC P-256 (ES256), RSA (RS256) or Ed25519 (EdDSA). Never paste the private key.">
          {(id) => (
            <textarea
              id={id}
              rows={6}
              value={values.publicKey}
              onChange={set("publicKey")}
              spellCheck={false}
              placeholder={'{"kty":"EC","crv":"P-256","x":"…","y":"…","kid":"…"}\nor\n-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----'}
              className={`${inputClass} font-mono text-xs`}
              aria-invalid={invalid("publicKey")}
            />
          )}
        </Field>
      ) : null}

      {kind === "federated" ? (
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Issuer" error={errors.fields.issuer} hint="The iss claim, e.g. https://token.actions.githubusercontent.com">
            {(id) => <Input id={id} type="url" value={values.issuer} onChange={set("issuer")} spellCheck={false} aria-invalid={invalid("issuer")} />}
          </Field>
          <Field label="JWKS URL" error={errors.fields.jwksUrl} hint="Where the issuer publishes its signing keys.">
            {(id) => <Input id={id} type="url" value={values.jwksUrl} onChange={set("jwksUrl")} spellCheck={false} aria-invalid={invalid("jwksUrl")} />}
          </Field>
          <Field label="Subject (exact match)" error={errors.fields.subject} hint="e.g. repo:acme/web:ref:refs/heads/main. No wildcards.">
            {(id) => <Input id={id} value={values.subject} onChange={set("subject")} spellCheck={false} className="font-mono" aria-invalid={invalid("subject")} />}
          </Field>
          <Field label="Audience" error={errors.fields.audience} hint="The aud the workload requests its token for.">
            {(id) => <Input id={id} value={values.audience} onChange={set("audience")} spellCheck={false} className="font-mono" aria-invalid={invalid("audience")} />}
          </Field>
        </div>
      ) : null}

      <FormError message={errors.message} />
      <div className="flex items-center gap-2">
        <Button type="submit" disabled={add.isPending}>
          {add.isPending ? "Creating…" : "Create credential"}
        </Button>
        <Button variant="ghost" onClick={onCancel} disabled={add.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
