/** Sign-up must not tell whether an email has an account (issue 13, item 7). */
import { describe, expect, it } from "vitest";
import { POST as signUpPost } from "@/app/api/console/signup/route";
import { listMyTenants } from "@/lib/auth/member";
import { hashSecret } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { createUser, uniq } from "@/lib/testing/factories";

const post = async (body: object) => {
  const res = await signUpPost(new Request("http://console.test/api/console/signup", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }), {
    params: Promise.resolve({}),
  });
  return { status: res.status, body: await res.json() };
};

describe("sign-up answers alike for new and existing addresses", () => {
  it("gives an existing address with a wrong password the same answer as a new one, and creates nothing for it", async () => {
    const owner = await createUser({ passwordHash: await hashSecret("owner-password-1") });
    const tenantName = `Probe ${uniq()}`;
    const fresh = await post({ name: "A", email: `new-${uniq()}@example.test`, password: "some-password-1", tenantName });
    const probe = await post({ name: "A", email: owner.email, password: "some-password-1", tenantName: `${tenantName}x` });
    expect(fresh.status).toBe(201);
    expect(probe.status).toBe(201);
    expect(Object.keys(probe.body)).toEqual(Object.keys(fresh.body));
    expect(probe.body.tenant).toEqual({ slug: expect.any(String), name: `${tenantName}x` });
    // Nothing created or changed for the existing account.
    expect(await listMyTenants(owner.id)).toEqual([]);
    expect((await db().user.findUniqueOrThrow({ where: { id: owner.id } })).passwordHash).toBe(owner.passwordHash);
  });

  it("gives an existing account that proves its password the new tenant", async () => {
    const owner = await createUser({ passwordHash: await hashSecret("owner-password-1") });
    const answer = await post({ name: "A", email: owner.email, password: "owner-password-1", tenantName: `Second ${uniq()}` });
    expect(answer.status).toBe(201);
    expect((await listMyTenants(owner.id)).map((t) => t.slug)).toEqual([answer.body.tenant.slug]);
  });
});
