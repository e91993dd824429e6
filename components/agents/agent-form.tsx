"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiError, consoleApi } from "@/components/api";
import { Button, buttonClass } from "@/components/ui/button";
import { Field, FormError, Input, Select, inputClass } from "@/components/ui/field";
import { fieldErrors } from "./format";
import type { AgentDetail } from "./types";

const FIELDS = ["name", "description", "ownerId", "labels", "environment", "tokenTtlMinutes"] as const;
const ENVIRONMENTS = ["production", "staging", "development"];

type Values = { name: string; description: string; ownerId: string; labels: string; environment: string; tokenTtlMinutes: string };

function parseLabels(text: string): string[] {
  return text
    .split(",")
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Registers an agent (mode "create": POST, then its page) or edits one (mode "edit":
 * PATCH; the name is fixed once registered, since audit entries and policies name it).
 */
export function AgentForm(
  props:
    | { mode: "create"; slug: string; me: string }
    | { mode: "edit"; slug: string; me: string; agent: AgentDetail; onSaved: (changed: boolean) => void; onCancel: () => void },
) {
  const { slug } = props;
  const router = useRouter();
  const editing = props.mode === "edit" ? props.agent : null;
  const [values, setValues] = useState<Values>(() =>
    editing
      ? {
          name: editing.name,
          description: editing.description,
          ownerId: editing.owner.id,
          labels: editing.labels.join(", "),
          environment: editing.environment,
          tokenTtlMinutes: String(editing.tokenTtlMinutes),
        }
      : { name: "", description: "", ownerId: props.me, labels: "", environment: "production", tokenTtlMinutes: "15" },
  );
  const set = (key: keyof Values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));

  const members = useQuery({
    queryKey: ["members", slug],
    queryFn: () => consoleApi("GET", "/t/[tenant]/members", { params: { tenant: slug } }),
  });

  const save = useMutation({
    mutationFn: async () => {
      const body = {
        description: values.description,
        ownerId: values.ownerId,
        labels: parseLabels(values.labels),
        environment: values.environment,
        tokenTtlMinutes: values.tokenTtlMinutes.trim() === "" ? Number.NaN : Number(values.tokenTtlMinutes),
      };
      if (editing) {
        const before = { description: editing.description, ownerId: editing.owner.id, labels: editing.labels, environment: editing.environment, tokenTtlMinutes: editing.tokenTtlMinutes };
        const changed = Object.entries(body).some(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k as keyof typeof before]));
        // Always the whole set: the API's update schema fills omitted fields with the
        // create defaults (zod .partial() keeps .default()), so a partial PATCH would
        // reset the description, labels and environment.
        if (changed) await consoleApi("PATCH", "/t/[tenant]/agents/[agentId]", { params: { tenant: slug, agentId: editing.id }, body });
        return { id: editing.id, changed };
      }
      const created = await consoleApi("POST", "/t/[tenant]/agents", { params: { tenant: slug }, body: { name: values.name, ...body } });
      return { id: created.agent.id, changed: true };
    },
    onSuccess: ({ id, changed }) => {
      if (props.mode === "edit") props.onSaved(changed);
      else router.push(`/t/${slug}/agents/${id}`);
    },
  });

  const errors = fieldErrors(save.error, FIELDS);
  // A taken name comes back as a conflict without details: show it at the name.
  if (save.error instanceof ApiError && save.error.code === "conflict" && !editing) {
    errors.fields.name = save.error.message;
    errors.message = null;
  }
  const invalid = (key: string) => (errors.fields[key] ? true : undefined);

  // The current owner stays selectable even if they left the tenant since.
  const options = members.data?.members ?? [];
  const ownerListed = options.some((m) => m.userId === values.ownerId);

  return (
    <form
      noValidate
      className="space-y-4"
      aria-label={editing ? `Edit ${editing.name}` : "Register an agent"}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="grid gap-4 md:grid-cols-2">
        <Field
          label="Name"
          error={errors.fields.name}
          hint={editing ? "The name is fixed once registered." : "Lower-case letters, digits, dots, dashes and underscores, e.g. refund-bot. Cannot be changed later."}
        >
          {(id) => (
            <Input
              id={id}
              value={values.name}
              onChange={set("name")}
              disabled={Boolean(editing)}
              required
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
              aria-invalid={invalid("name")}
              autoFocus={!editing}
            />
          )}
        </Field>
        <Field label="Owner" error={errors.fields.ownerId} hint="The person accountable for this agent.">
          {(id) => (
            <Select id={id} value={values.ownerId} onChange={set("ownerId")} aria-invalid={invalid("ownerId")} disabled={members.isPending}>
              {!ownerListed ? <option value={values.ownerId}>{editing ? `${editing.owner.name || editing.owner.email}` : members.isPending ? "Loading members…" : "Choose an owner"}</option> : null}
              {options.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name ? `${m.name} (${m.email})` : m.email}
                  {m.userId === props.me ? " — you" : ""}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>

      <Field label="Description" error={errors.fields.description} hint="What it does and which systems it touches.">
        {(id) => (
          <textarea
            id={id}
            rows={2}
            maxLength={500}
            value={values.description}
            onChange={set("description")}
            className={inputClass}
            aria-invalid={invalid("description")}
          />
        )}
      </Field>

      <div className="grid gap-4 md:grid-cols-3">
        <Field label="Labels" error={errors.fields.labels} hint="Comma-separated, e.g. support, payments.">
          {(id) => <Input id={id} value={values.labels} onChange={set("labels")} autoComplete="off" aria-invalid={invalid("labels")} />}
        </Field>
        <Field label="Environment" error={errors.fields.environment}>
          {(id) => (
            <>
              <Input id={id} value={values.environment} onChange={set("environment")} list={`${id}-options`} autoComplete="off" aria-invalid={invalid("environment")} />
              <datalist id={`${id}-options`}>
                {ENVIRONMENTS.map((env) => (
                  <option key={env} value={env} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Token lifetime (minutes)" error={errors.fields.tokenTtlMinutes} hint="1 to 60. Short is safer: tokens cannot be recalled one by one.">
          {(id) => (
            <Input
              id={id}
              type="number"
              inputMode="numeric"
              min={1}
              max={60}
              step={1}
              value={values.tokenTtlMinutes}
              onChange={set("tokenTtlMinutes")}
              className="tabular-nums"
              aria-invalid={invalid("tokenTtlMinutes")}
            />
          )}
        </Field>
      </div>

      <FormError message={errors.message} />
      {members.isError ? <FormError message={`Members could not be loaded: ${members.error.message}`} /> : null}

      <div className="flex items-center gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : editing ? "Save changes" : "Register agent"}
        </Button>
        {props.mode === "edit" ? (
          <Button variant="ghost" onClick={props.onCancel} disabled={save.isPending}>
            Cancel
          </Button>
        ) : (
          <Link href={`/t/${slug}/agents`} className={buttonClass("ghost")}>
            Cancel
          </Link>
        )}
      </div>
    </form>
  );
}
