/**
 * An agent reads only its own runs (issue 13, item 14), through the route handlers that
 * both the Next app and the lean agent API server (servers/agent-api-routes.ts) serve.
 */
import { afterAll, describe, expect, it } from "vitest";
import { signAgentToken } from "@/lib/agents/agent-token";
import { ensureSigningKey } from "@/lib/agents/signing-keys";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { prepareEvents } from "@/lib/ingest/prepare-events";
import { writeEventBatch } from "@/lib/ingest/write-event-batch";
import { createTestAgent, createTestCredential, createTestTenant, uniq } from "@/lib/testing/factories";
import { GET as getEventsRoute } from "@/app/api/v1/runs/[run_id]/events/route";
import { GET as getRunRoute } from "@/app/api/v1/runs/[run_id]/route";

afterAll(async () => {
  await db().$disconnect();
});

async function tokenFor(tenantId: string, agentId: string) {
  const credential = await createTestCredential(tenantId, agentId);
  return (await signAgentToken({ agentId, tenantId, credentialId: credential.id, ttlSeconds: 600 })).token;
}

async function read(token: string, runId: string) {
  const init = { headers: { authorization: `Bearer ${token}` } };
  const ctx = { params: Promise.resolve({ run_id: runId }) };
  const run = await getRunRoute(new Request(`http://x/api/v1/runs/${runId}`, init), ctx);
  const events = await getEventsRoute(new Request(`http://x/api/v1/runs/${runId}/events`, init), ctx);
  return { run: { status: run.status, body: await run.json() }, events: { status: events.status, body: await events.json() } };
}

describe("GET /api/v1/runs/{run_id} and /events", () => {
  it("answer another agent's run in the same tenant with 404, exactly like a run that does not exist", async () => {
    await ensureSigningKey();
    const { tenant, owner } = await createTestTenant();
    const mine = await createTestAgent(tenant.id, owner.user.id);
    const theirs = await createTestAgent(tenant.id, owner.user.id);
    const runId = `run_${uniq()}`;
    const { events } = prepareEvents([{ id: "e1", run_id: runId, type: "run.started", ts: new Date().toISOString(), input: "secret plan" }], { paths: [], now: new Date() });
    await withTenant({ tenantId: tenant.id }, (tx) =>
      writeEventBatch(tx, { tenantId: tenant.id, source: "agent", events: events.map((e) => ({ ...e, agentId: theirs.id, receivedAt: new Date().toISOString() })) }),
    );

    const owned = await read(await tokenFor(tenant.id, theirs.id), runId);
    expect(owned.run.status).toBe(200);
    expect(owned.events.status).toBe(200);
    expect(owned.events.body.events).toHaveLength(1);

    const myToken = await tokenFor(tenant.id, mine.id);
    const other = await read(myToken, runId);
    const missing = await read(myToken, `run_${uniq()}`);
    expect(other.run).toEqual({ status: 404, body: missing.run.body });
    expect(other.events).toEqual({ status: 404, body: missing.events.body });
    expect(JSON.stringify(other)).not.toContain("secret plan");
  });
});
