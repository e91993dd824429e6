/**
 * The cost of authenticating an agent request (issue: agent identities).
 * 1. In process: authenticateAgent() on a warm cache, µs per call.
 * 2. Over HTTP against `next start`: GET /api/v1/whoami with a valid token, and the same
 *    route without a token (answered 401 before any verification); the difference is
 *    what authentication adds per request.
 */
import { authenticateAgent } from "@/lib/agents/authenticate-agent";
import { authState } from "@/lib/agents/auth-state";
import { signAgentToken } from "@/lib/agents/agent-token";
import { ensureSigningKey } from "@/lib/agents/signing-keys";
import { db } from "@/lib/db/client";
import { createTestAgent, createTestCredential, createTestTenant } from "@/lib/testing/factories";
import { benchDatabase, load, startServer, stopServer } from "./support";

export async function benchAuth() {
  const dropDatabase = await benchDatabase();
  try {
    await ensureSigningKey();
    const { tenant, owner } = await createTestTenant();
    const agent = await createTestAgent(tenant.id, owner.user.id);
    const credential = await createTestCredential(tenant.id, agent.id);
    const { token } = await signAgentToken({ agentId: agent.id, tenantId: tenant.id, credentialId: credential.id, ttlSeconds: 3600 });
    const header = `Bearer ${token}`;

    // Let the invalidation channel come up so the cache is used, then warm it.
    for (let i = 0; i < 50 && !authState.isLive; i++) {
      await authenticateAgent(header);
      await new Promise((r) => setTimeout(r, 20));
    }
    await authenticateAgent(header);
    const calls = 20_000;
    const started = performance.now();
    for (let i = 0; i < calls; i++) await authenticateAgent(header);
    const perCallUs = ((performance.now() - started) * 1000) / calls;

    const port = 3200;
    const server = await startServer(port);
    try {
      const url = `http://127.0.0.1:${port}/api/v1/whoami`;
      await load({ url, headers: { authorization: header }, concurrency: 8, seconds: 3, expectStatus: 200 }); // warm-up
      // Throughput under saturation, then latency unloaded (one client at a time).
      const authed = await load({ url, headers: { authorization: header }, concurrency: 16, seconds: 10, expectStatus: 200 });
      const anonymous = await load({ url, concurrency: 16, seconds: 10, expectStatus: 401 });
      const authedSerial = await load({ url, headers: { authorization: header }, concurrency: 1, seconds: 8, expectStatus: 200 });
      const anonymousSerial = await load({ url, concurrency: 1, seconds: 8, expectStatus: 401 });
      return { perCallUs, authed, anonymous, authedSerial, anonymousSerial };
    } finally {
      stopServer(server);
    }
  } finally {
    await authState.close();
    await db().$disconnect();
    await dropDatabase();
  }
}
