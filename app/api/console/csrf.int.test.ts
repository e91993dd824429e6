/**
 * CSRF on console mutations: a page on another site posting to a console route with the
 * owner's session cookie (getServerSession answering for the owner stands in for the cookie).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import { engageKillSwitch } from "@/lib/kill-switches/engage-kill-switch";
import { createTestTenant } from "@/lib/testing/factories";
import { POST as liftPost } from "@/app/api/console/t/[tenant]/kill-switches/[killSwitchId]/lift/route";
import { POST as tenantsPost } from "@/app/api/console/tenants/route";

const session = vi.hoisted(() => ({ user: null as null | { id: string; email: string; name: string } }));
vi.mock("next-auth", async (original) => ({
  ...(await original<object>()),
  getServerSession: async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 60_000).toISOString() } : null),
}));

const CONSOLE = "http://console.test";

async function tenantWithKillSwitch() {
  const { tenant, owner } = await createTestTenant();
  const engaged = await engageKillSwitch({ actor: owner, request: { scope: "tenant", reason: "incident" } });
  if (!("killSwitch" in engaged)) throw new Error("a tenant kill switch returns its row");
  session.user = owner.user;
  return { tenant, killSwitchId: engaged.killSwitch.id };
}

const lift = (slug: string, killSwitchId: string, headers: Record<string, string>) =>
  liftPost(new Request(`${CONSOLE}/api/console/t/${slug}/kill-switches/${killSwitchId}/lift`, { method: "POST", headers, body: "" }), {
    params: Promise.resolve({ tenant: slug, killSwitchId }),
  });
const stillEngaged = (tenantId: string, id: string) => withTenant({ tenantId }, async (tx) => (await tx.killSwitch.findUniqueOrThrow({ where: { id } })).liftedAt === null);

beforeEach(() => {
  session.user = null;
});
afterEach(() => {
  session.user = null;
});

describe("console mutations refuse cross-site requests", () => {
  it.each([
    ["a form post from another origin", { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" }],
    ["another origin, no fetch metadata", { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" }],
    ["an opaque origin (sandboxed frame)", { origin: "null", "content-type": "text/plain" }],
    ["a sibling subdomain", { "sec-fetch-site": "same-site", "content-type": "application/x-www-form-urlencoded" }],
  ])("403 for %s, and the kill switch stays on", async (_what, headers) => {
    const { tenant, killSwitchId } = await tenantWithKillSwitch();
    const res = await lift(tenant.slug, killSwitchId, headers);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect(await stillEngaged(tenant.id, killSwitchId)).toBe(true);
  });

  it("lets the console itself (same origin) and non-browser clients (no Origin) lift it", async () => {
    const a = await tenantWithKillSwitch();
    expect((await lift(a.tenant.slug, a.killSwitchId, { origin: CONSOLE, "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect(await stillEngaged(a.tenant.id, a.killSwitchId)).toBe(false);
    const b = await tenantWithKillSwitch();
    expect((await lift(b.tenant.slug, b.killSwitchId, {})).status).toBe(200);
  });

  it("covers console mutations outside memberRoute too (creating a tenant)", async () => {
    await tenantWithKillSwitch();
    const res = await tenantsPost(
      new Request(`${CONSOLE}/api/console/tenants`, { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/json" }, body: JSON.stringify({ name: "Evil Co" }) }),
      { params: Promise.resolve({}) },
    );
    expect(res.status).toBe(403);
  });
});
