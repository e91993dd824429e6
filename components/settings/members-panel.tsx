"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { consoleApi, type ConsoleAnswer } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field, FormError, Input, Select } from "@/components/ui/field";
import { Card } from "@/components/ui/page";
import { Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";

/** GET /api/console/t/[tenant]/members (lib/tenancy/list-members.ts). */
type Members = ConsoleAnswer<"GET", "/t/[tenant]/members">;
type Member = Members["members"][number];
type Invitation = Members["invitations"][number];
type Role = Member["role"];

const ROLE_HELP: Record<Role, string> = {
  owner: "Everything, including managing owners",
  admin: "Manage agents, policies, members and settings",
  approver: "Approve or deny agents' pending actions",
  auditor: "Read the audit log and export evidence",
  viewer: "Read-only console access",
};

type Pending = { kind: "role"; member: Member; role: Role } | { kind: "remove"; member: Member } | { kind: "revoke"; invitation: Invitation };

export function MembersPanel({ slug, me, myRole, assignable }: { slug: string; me: string; myRole: Role; assignable: Role[] }) {
  const queryClient = useQueryClient();
  const key = ["members", slug];
  const members = useQuery({ queryKey: key, queryFn: () => consoleApi("GET", "/t/[tenant]/members", { params: { tenant: slug } }) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  const [pending, setPending] = useState<Pending | null>(null);
  const canManage = myRole === "owner" || myRole === "admin";

  async function confirm() {
    if (!pending) return;
    if (pending.kind === "role") {
      await consoleApi("PATCH", "/t/[tenant]/members/[membershipId]", { params: { tenant: slug, membershipId: pending.member.id }, body: { role: pending.role } });
    } else if (pending.kind === "remove") {
      await consoleApi("DELETE", "/t/[tenant]/members/[membershipId]", { params: { tenant: slug, membershipId: pending.member.id } });
    } else {
      await consoleApi("DELETE", "/t/[tenant]/invitations/[invitationId]", { params: { tenant: slug, invitationId: pending.invitation.id } });
    }
    await refresh();
  }

  return (
    <div className="space-y-6">
      {canManage ? <InviteForm slug={slug} assignable={assignable} onInvited={refresh} /> : null}

      <Table label="Members">
        <thead>
          <tr>
            <Th>Member</Th>
            <Th>Role</Th>
            <Th>Approver groups</Th>
            <Th>Sign-in</Th>
            <Th>Last sign-in</Th>
            <Th>Joined</Th>
            <Th />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {members.isPending ? (
            <tr>
              <Td colSpan={7} className="py-6 text-center text-slate-500">Loading…</Td>
            </tr>
          ) : members.isError ? (
            <tr>
              <Td colSpan={7} className="py-6 text-center text-red-700">{members.error.message}</Td>
            </tr>
          ) : (
            members.data.members.map((m) => {
              const editable = canManage && m.userId !== me && (m.role !== "owner" || myRole === "owner");
              return (
                <tr key={m.id} data-testid={`member-${m.email}`}>
                  <Td>
                    <div className="font-medium text-slate-900">{m.name}{m.userId === me ? <span className="ml-1.5 text-xs text-slate-500">(you)</span> : null}</div>
                    <div className="text-xs text-slate-500">{m.email}</div>
                  </Td>
                  <Td>
                    {editable ? (
                      <Select
                        aria-label={`Role of ${m.email}`}
                        value={m.role}
                        className="w-36"
                        onChange={(e) => setPending({ kind: "role", member: m, role: e.target.value as Role })}
                      >
                        {assignable.map((r) => (
                          <option key={r} value={r}>{r}</option>
                        ))}
                      </Select>
                    ) : (
                      <Badge tone={m.role === "owner" ? "brand" : "neutral"}>{m.role}</Badge>
                    )}
                  </Td>
                  <Td>
                    <ApproverGroupsCell slug={slug} member={m} canEdit={canManage} onSaved={refresh} />
                  </Td>
                  <Td>{m.sso ? <Badge tone="brand">SSO</Badge> : <Badge>Password</Badge>}</Td>
                  <Td><Time value={m.lastLoginAt} /></Td>
                  <Td><Time value={m.joinedAt} /></Td>
                  <Td className="text-right">
                    {editable ? (
                      <Button variant="ghost" size="sm" onClick={() => setPending({ kind: "remove", member: m })}>Remove</Button>
                    ) : null}
                  </Td>
                </tr>
              );
            })
          )}
        </tbody>
      </Table>

      {members.data && members.data.invitations.length > 0 ? (
        <Card title="Open invitations">
          <ul className="divide-y divide-slate-100">
            {members.data.invitations.map((i) => (
              <li key={i.id} className="flex items-center justify-between py-2" data-testid={`invitation-${i.email}`}>
                <span>
                  <span className="font-medium">{i.email}</span> <Badge>{i.role}</Badge>{" "}
                  <span className="text-xs text-slate-500">expires <Time value={i.expiresAt} /></span>
                </span>
                {canManage ? <Button variant="ghost" size="sm" onClick={() => setPending({ kind: "revoke", invitation: i })}>Revoke</Button> : null}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}

      <ConfirmDialog
        open={pending !== null}
        onClose={() => setPending(null)}
        onConfirm={confirm}
        tone={pending?.kind === "role" ? "primary" : "danger"}
        title={
          pending?.kind === "role" ? "Change role?" : pending?.kind === "remove" ? "Remove member?" : "Revoke invitation?"
        }
        confirmLabel={pending?.kind === "role" ? "Change role" : pending?.kind === "remove" ? "Remove" : "Revoke"}
      >
        {pending?.kind === "role" ? (
          <p>
            <strong>{pending.member.email}</strong> goes from <strong>{pending.member.role}</strong> to <strong>{pending.role}</strong>:{" "}
            {ROLE_HELP[pending.role].toLowerCase()}.
          </p>
        ) : pending?.kind === "remove" ? (
          <p><strong>{pending.member.email}</strong> loses access to this tenant at once. Their past actions stay in the audit log.</p>
        ) : pending?.kind === "revoke" ? (
          <p>The invitation link for <strong>{pending.invitation.email}</strong> stops working.</p>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}

/**
 * A member's approver groups (e.g. security, finance): rules can require each group to
 * sign. Edited inline as a comma-separated list; every change is audited.
 */
function ApproverGroupsCell({ slug, member, canEdit, onSaved }: { slug: string; member: Member; canEdit: boolean; onSaved: () => void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(member.approverGroups.join(", "));
  const save = useMutation({
    mutationFn: () =>
      consoleApi("PUT", "/t/[tenant]/members/[membershipId]/groups", {
        params: { tenant: slug, membershipId: member.id },
        body: { groups: text.split(",").map((g) => g.trim().toLowerCase()).filter(Boolean) },
      }),
    onSuccess: () => {
      setEditing(false);
      onSaved();
    },
  });
  if (editing) {
    return (
      <form
        className="flex min-w-56 flex-col gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <div className="flex gap-1">
          <Input aria-label={`Approver groups of ${member.email}`} value={text} onChange={(e) => setText(e.target.value)} placeholder="security, finance" className="text-xs" autoFocus />
          <Button type="submit" size="sm" disabled={save.isPending}>Save</Button>
          <Button size="sm" variant="ghost" onClick={() => setEditing(false)}>Cancel</Button>
        </div>
        {save.error ? <p className="text-xs text-red-600" role="alert">{save.error.message}</p> : null}
      </form>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-1" data-testid={`groups-${member.email}`}>
      {member.approverGroups.length ? member.approverGroups.map((g) => <Badge key={g} tone="brand">{g}</Badge>) : <span className="text-xs text-slate-400">none</span>}
      {canEdit ? (
        <Button
          size="sm"
          variant="ghost"
          aria-label={`Edit approver groups of ${member.email}`}
          onClick={() => {
            setText(member.approverGroups.join(", "));
            setEditing(true);
          }}
        >
          Edit
        </Button>
      ) : null}
    </div>
  );
}

function InviteForm({ slug, assignable, onInvited }: { slug: string; assignable: Role[]; onInvited: () => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const invite = useMutation({
    mutationFn: () => consoleApi("POST", "/t/[tenant]/members", { params: { tenant: slug }, body: { email, role } }),
    onSuccess: (data) => {
      setLink(data.acceptUrl);
      setCopied(false);
      setEmail("");
      onInvited();
    },
  });
  return (
    <Card title="Invite a member">
      <form
        className="grid items-end gap-3 md:grid-cols-[1fr_12rem_auto]"
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
        }}
      >
        <Field label="Email">
          {(id) => <Input id={id} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} placeholder="name@company.com" />}
        </Field>
        <Field label="Role">
          {(id) => (
            <Select id={id} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {assignable.map((r) => (
                <option key={r} value={r}>{r}</option>
              ))}
            </Select>
          )}
        </Field>
        <Button type="submit" disabled={invite.isPending}>{invite.isPending ? "Inviting…" : "Invite"}</Button>
      </form>
      <p className="mt-2 text-xs text-slate-500">{ROLE_HELP[role]}.</p>
      <div className="mt-3"><FormError message={invite.error?.message} /></div>
      {link ? (
        <div className="mt-3 rounded-md bg-amber-50 p-3 ring-1 ring-inset ring-amber-200" role="status">
          <p className="text-xs font-medium text-amber-900">Send this link to the invitee. It is shown once and works for 7 days.</p>
          <div className="mt-2 flex gap-2">
            <Input readOnly value={link} aria-label="Invitation link" className="font-mono text-xs" onFocus={(e) => e.target.select()} />
            <Button
              variant="secondary"
              onClick={async () => {
                await navigator.clipboard?.writeText(link).catch(() => {});
                setCopied(true);
              }}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
        </div>
      ) : null}
    </Card>
  );
}
