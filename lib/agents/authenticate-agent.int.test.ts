import { describe, expect, it } from "vitest";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { createPolicyTenant } from "@/lib/testing/policy";
import { createTestCredential } from "@/lib/testing/factories";
import { signAgentToken } from "./agent-token";
import { authState } from "./auth-state";
import { authenticateAgent } from "./authenticate-agent";

const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e) => (e instanceof AppError ? e.code : String(e)));

describe("authenticateAgent with verified tokens remembered", () => {
  it("remembers a verified token, yet refuses any altered copy, an expired one and a revoked credential's", async () => {
    const { tenant, agent, token } = await createPolicyTenant();
    expect((await authenticateAgent(`Bearer ${token}`)).agentId).toBe(agent.id);
    expect((await authenticateAgent(`Bearer ${token}`)).agentId).toBe(agent.id); // from memory

    const [header, payload, signature] = token.split(".") as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.at(-2) === "A" ? "B" : "A") + signature.at(-1);
    expect(await codeOf(authenticateAgent(`Bearer ${header}.${payload}.${flipped}`))).toBe("invalid_token");

    const credential = await createTestCredential(tenant.id, agent.id);
    const other = await createTestCredential(tenant.id, agent.id);
    await authState.publish({ kind: "agent", id: agent.id }); // the cached agent state learns the new credentials
    const short = (await signAgentToken({ agentId: agent.id, tenantId: tenant.id, credentialId: credential.id, ttlSeconds: 1 })).token;
    expect(await codeOf(authenticateAgent(`Bearer ${short}`))).toBe("ok");
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await codeOf(authenticateAgent(`Bearer ${short}`))).toBe("invalid_token");

    const remembered = (await signAgentToken({ agentId: agent.id, tenantId: tenant.id, credentialId: other.id, ttlSeconds: 600 })).token;
    expect(await codeOf(authenticateAgent(`Bearer ${remembered}`))).toBe("ok");
    await withTenant({ tenantId: tenant.id }, (tx) => tx.agentCredential.update({ where: { id: other.id }, data: { revokedAt: new Date() } }));
    await authState.publish({ kind: "agent", id: agent.id });
    expect(await codeOf(authenticateAgent(`Bearer ${remembered}`))).toBe("invalid_token");
  });
});
