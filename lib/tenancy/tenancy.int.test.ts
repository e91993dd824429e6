import { describe, expect, it } from "vitest";
import { findMembership, listMyTenants } from "@/lib/auth/member";
import { verifySecret } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { createTestTenant, createUser, uniq } from "@/lib/testing/factories";
import { acceptInvitation, findOpenInvitation } from "./accept-invitation";
import { changeMemberRole, removeMember } from "./change-member-role";
import { inviteMember } from "./invite-member";
import { listMembers } from "./list-members";
import { signUp } from "./sign-up";
import { updateTenantSettings } from "./update-tenant-settings";

const auditActions = (tenantId: string) =>
  withTenant({ tenantId }, (tx) => tx.auditEntry.findMany({ where: { tenantId }, orderBy: { seq: "asc" } }));

async function errorCode(p: Promise<unknown>) {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

describe("sign-up", () => {
  it("creates a user with a slow hash and a tenant they own", async () => {
    const email = `new-${uniq()}@example.test`;
    const { user, tenant } = await signUp({ name: "New", email, password: "long enough pw", tenantName: "New Co" });
    if (!user || !tenant) throw new Error("a new email creates a user and a tenant");
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(await verifySecret("long enough pw", user.passwordHash!)).toBe(true);
    const member = await findMembership({ id: user.id, email, name: "New" }, tenant.slug);
    expect(member?.role).toBe("owner");
    expect((await auditActions(tenant.id)).map((e) => e.action)).toEqual(["tenant.created"]);
  });
});

describe("invitations", () => {
  it("lets the invited address join with the invited role, once", async () => {
    const { tenant, owner } = await createTestTenant();
    const invitee = await createUser();
    const { token } = await inviteMember({ actor: owner, email: invitee.email, role: "approver" });
    expect((await findOpenInvitation(token))?.tenant.slug).toBe(tenant.slug);

    const stranger = await createUser();
    expect(await errorCode(acceptInvitation({ user: stranger, token }))).toBe("forbidden");

    await acceptInvitation({ user: invitee, token });
    expect((await listMyTenants(invitee.id)).map((t) => [t.slug, t.role])).toEqual([[tenant.slug, "approver"]]);
    expect(await errorCode(acceptInvitation({ user: invitee, token }))).toBe("not_found");
    expect(await findOpenInvitation(token)).toBeNull();

    const actions = (await auditActions(tenant.id)).map((e) => e.action);
    expect(actions).toEqual(["tenant.created", "member.invited", "member.joined"]);
  });

  it("never stores the token and rejects a guessed one", async () => {
    const { tenant, owner } = await createTestTenant();
    const { token, invitation } = await inviteMember({ actor: owner, email: `x-${uniq()}@example.test`, role: "viewer" });
    expect(invitation.tokenHash).not.toContain(token);
    expect(await findOpenInvitation(`${token}x`)).toBeNull();
    const listed = await listMembers({ tenantId: tenant.id });
    expect(listed.invitations).toHaveLength(1);
  });

  it("keeps admins from inviting owners", async () => {
    const { members } = await createTestTenant(["admin"]);
    expect(await errorCode(inviteMember({ actor: members.admin!, email: `o-${uniq()}@example.test`, role: "owner" }))).toBe("forbidden");
  });
});

describe("roles", () => {
  it("records role changes with before and after", async () => {
    const { tenant, owner, members } = await createTestTenant(["viewer"]);
    const { members: list } = await listMembers({ tenantId: tenant.id });
    const viewer = list.find((m) => m.userId === members.viewer!.user.id)!;
    await changeMemberRole({ actor: owner, membershipId: viewer.id, role: "auditor", requestId: "req_test_1234" });
    const entry = (await auditActions(tenant.id)).at(-1)!;
    expect(entry).toMatchObject({
      action: "member.role_changed",
      actorLabel: owner.user.email,
      requestId: "req_test_1234",
      before: { email: members.viewer!.user.email, role: "viewer" },
      after: { email: members.viewer!.user.email, role: "auditor" },
    });
  });

  it("keeps at least one owner and keeps admins away from owners", async () => {
    const { tenant, owner, members } = await createTestTenant(["admin"]);
    const { members: list } = await listMembers({ tenantId: tenant.id });
    const ownerRow = list.find((m) => m.role === "owner")!;
    expect(await errorCode(changeMemberRole({ actor: owner, membershipId: ownerRow.id, role: "admin" }))).toBe("conflict");
    expect(await errorCode(removeMember({ actor: owner, membershipId: ownerRow.id }))).toBe("conflict");
    expect(await errorCode(changeMemberRole({ actor: members.admin!, membershipId: ownerRow.id, role: "viewer" }))).toBe("forbidden");
    expect(await errorCode(changeMemberRole({ actor: members.admin!, membershipId: list.find((m) => m.role === "admin")!.id, role: "owner" }))).toBe("forbidden");
  });

  it("cannot touch a membership of another tenant", async () => {
    const a = await createTestTenant();
    const b = await createTestTenant(["viewer"]);
    const { members: bList } = await listMembers({ tenantId: b.tenant.id });
    const target = bList.find((m) => m.role === "viewer")!;
    expect(await errorCode(changeMemberRole({ actor: a.owner, membershipId: target.id, role: "admin" }))).toBe("not_found");
    expect(await errorCode(removeMember({ actor: a.owner, membershipId: target.id }))).toBe("not_found");
    const still = await withTenant({ tenantId: b.tenant.id }, (tx) => tx.membership.findUnique({ where: { id: target.id } }));
    expect(still?.role).toBe("viewer");
  });

  it("removes a member and audits it", async () => {
    const { tenant, owner, members } = await createTestTenant(["approver"]);
    const { members: list } = await listMembers({ tenantId: tenant.id });
    await removeMember({ actor: owner, membershipId: list.find((m) => m.role === "approver")!.id });
    expect(await findMembership(members.approver!.user, tenant.slug)).toBeNull();
    expect((await auditActions(tenant.id)).at(-1)?.action).toBe("member.removed");
  });
});

describe("tenant settings", () => {
  it("renames the tenant and audits the change", async () => {
    const { tenant, owner } = await createTestTenant();
    await updateTenantSettings({ actor: owner, name: "Renamed Co" });
    const fresh = await withTenant({ tenantId: tenant.id }, (tx) => tx.tenant.findUnique({ where: { id: tenant.id } }));
    expect(fresh?.name).toBe("Renamed Co");
    expect((await auditActions(tenant.id)).at(-1)).toMatchObject({ action: "tenant.settings_changed", before: { name: tenant.name }, after: { name: "Renamed Co" } });
  });

  it("lists a user's tenants across tenants without leaking others", async () => {
    const a = await createTestTenant();
    await createTestTenant();
    const mine = await listMyTenants(a.owner.user.id);
    expect(mine.map((t) => t.id)).toEqual([a.tenant.id]);
    expect(await db().user.count({ where: { id: a.owner.user.id } })).toBe(1);
  });
});
