/**
 * Text Postgres cannot store (a NUL, a lone surrogate) typed into any console form or sent to
 * any console route: a 400 naming the field, never a 500, and nothing written.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import { createTestTenant } from "@/lib/testing/factories";
import { POST as agentsPost } from "@/app/api/console/t/[tenant]/agents/route";
import { POST as signupPost } from "@/app/api/console/signup/route";
import { PUT as draftPut } from "@/app/api/console/t/[tenant]/policy/draft/route";


const session = vi.hoisted(() => ({ user: null as null | { id: string; email: string; name: string } }));
vi.mock("next-auth", async (original) => ({
  ...(await original<object>()),
  getServerSession: async () => (session.user ? { user: session.user, expires: new Date(Date.now() + 60_000).toISOString() } : null),
}));

const CONSOLE = "http://console.test";
const post = (path: string, body: unknown, method = "POST") =>
  new Request(`${CONSOLE}${path}`, { method, headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; details?: { path: string; message: string }[] } }).error;

afterEach(() => {
  session.user = null;
});

describe("console routes refuse text Postgres cannot store", () => {
  it.each([
    ["a NUL in a description", { name: "nul-agent", description: "a\u0000b" }, "description"],
    ["a lone surrogate in a description", { name: "lone-agent", description: "bad\ud800" }, "description"],
  ])("agents: 400 for %s, naming the field, and no agent is created", async (_what, body, path) => {
    const { tenant, owner } = await createTestTenant();
    session.user = owner.user;
    const res = await agentsPost(post(`/api/console/t/${tenant.slug}/agents`, { ownerId: owner.user.id, ...body }), { params: Promise.resolve({ tenant: tenant.slug }) });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("validation_failed");
    expect(error.details).toEqual([{ path, message: expect.stringMatching(/NUL|surrogate/) }]);
    expect(await withTenant({ tenantId: tenant.id }, (tx) => tx.agent.count())).toBe(0);
  });

  it.each([
    ["a lone surrogate in a constraint's value", { rules: [{ name: "r", tool: "stripe", operations: ["*"], constraints: [{ op: "equals", arg: "currency", value: "\udc00" }] }] }, "rules.0.constraints.0.value"],
    ["a NUL in a rule's name", { rules: [{ name: "r\u0000" }] }, "rules.0.name"],
  ])("policy draft (stored as typed): 400 for %s, and the draft is not saved", async (_what, body, path) => {
    const { tenant, owner } = await createTestTenant();
    session.user = owner.user;
    const res = await draftPut(post(`/api/console/t/${tenant.slug}/policy/draft`, body, "PUT"), { params: Promise.resolve({ tenant: tenant.slug }) });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.[0]?.path).toBe(path);
  });

  it("policy draft: 400 for rules nested thousands deep", async () => {
    const { tenant, owner } = await createTestTenant();
    session.user = owner.user;
    const res = await draftPut(post(`/api/console/t/${tenant.slug}/policy/draft`, `{"rules":[${"[".repeat(10_000)}1${"]".repeat(10_000)}]}`, "PUT"), { params: Promise.resolve({ tenant: tenant.slug }) });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("validation_failed");
  });

  it("sign-up: 400 for a NUL in the name, and no user is created", async () => {
    const email = `nul-${Date.now()}@example.test`;
    const res = await signupPost(post("/api/console/signup", { name: "Ada\u0000", email, password: "correct horse battery staple", tenantName: "Nul Co" }), { params: Promise.resolve({}) });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toEqual([{ path: "name", message: expect.stringContaining("NUL") }]);
  });
});
