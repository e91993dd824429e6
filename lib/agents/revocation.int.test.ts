/**
 * "Suspending, decommissioning or rotating an agent's credentials makes its outstanding
 * tokens fail within 1 second" (API.md §1) — in another process, whose warm auth cache
 * must learn about the change through Redis pub/sub. A probe process
 * (lib/testing/auth-probe.ts) checks tokens every ~20 ms and reports each state change.
 * Then, in this process: what the cache does when its invalidation channel is down.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import pg from "pg";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addCredential } from "@/lib/agents/add-credential";
import { authState } from "@/lib/agents/auth-state";
import { authenticateAgent } from "@/lib/agents/authenticate-agent";
import { changeAgentStatus } from "@/lib/agents/change-agent-status";
import { createAgent } from "@/lib/agents/create-agent";
import { issueToken } from "@/lib/agents/issue-token";
import { revokeCredential } from "@/lib/agents/revoke-credential";
import { rotateClientSecret } from "@/lib/agents/rotate-client-secret";
import { createAgentInput } from "@/lib/agents/schemas";
import { ensureSigningKey } from "@/lib/agents/signing-keys";
import { withTenant } from "@/lib/db/tenant";
import { AppError } from "@/lib/errors";
import { engageKillSwitch } from "@/lib/kill-switches/engage-kill-switch";
import { createTestTenant, uniq } from "@/lib/testing/factories";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROPAGATION_LIMIT_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type ProbeLine =
  | { type: "ready" }
  | { type: "state"; label: string; state: string; live: boolean; at: number }
  | { type: "stats"; checks: number; queries: number; authQueries: number; live: boolean };

/** The second process: `node --import tsx lib/testing/auth-probe.ts`, driven over stdin/stdout. */
class Probe {
  readonly lines: ProbeLine[] = [];
  private stderr = "";
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          this.lines.push(JSON.parse(line) as ProbeLine);
        } catch {
          this.stderr += `${line}\n`; // not a probe line (a stray log): keep it for diagnostics
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(): Promise<Probe> {
    // One node process (no npx/tsx wrapper processes), so stopping it leaves nothing behind.
    const child = spawn(process.execPath, ["--import", "tsx", "lib/testing/auth-probe.ts"], { cwd: ROOT, env: process.env, stdio: "pipe" });
    const probe = new Probe(child);
    await probe.waitFor((l) => l.type === "ready", 30_000);
    return probe;
  }

  send(command: object) {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** The first line from index `from` on that matches; throws after `timeoutMs`. */
  async waitFor<T extends ProbeLine>(match: (line: ProbeLine) => line is T, timeoutMs: number, from?: number): Promise<T>;
  async waitFor(match: (line: ProbeLine) => boolean, timeoutMs: number, from?: number): Promise<ProbeLine>;
  async waitFor(match: (line: ProbeLine) => boolean, timeoutMs: number, from = 0): Promise<ProbeLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find(match);
      if (hit) return hit;
      if (this.child.exitCode !== null) throw new Error(`probe exited (${this.child.exitCode}): ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`probe: no matching line in ${timeoutMs} ms. Last lines: ${JSON.stringify(this.lines.slice(-5))} stderr: ${this.stderr.slice(-2000)}`);
      await sleep(5);
    }
  }

  async stats() {
    const from = this.lines.length;
    this.send({ cmd: "stats" });
    return this.waitFor((l): l is Extract<ProbeLine, { type: "stats" }> => l.type === "stats", 5000, from);
  }

  /** Closes stdin (the probe exits cleanly); SIGKILL if it has not exited in 5 s. */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** A fresh tenant, an agent with a client secret, and an access token issued through the token endpoint's service. */
async function agentWithToken() {
  const { tenant, owner } = await createTestTenant();
  const agent = await createAgent({ actor: owner, agent: createAgentInput.parse({ name: `bot-${uniq()}`, ownerId: owner.user.id }) });
  const { credential, clientSecret } = await addCredential({ actor: owner, agentId: agent.id, credential: { kind: "client_secret", label: "ci" } });
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: agent.id, client_secret: clientSecret! });
  const { access_token: token } = await issueToken({ form, address: `revocation-test-${uniq()}`, tokenEndpoint: "http://gatehouse.test/api/v1/oauth/token" });
  return { tenant, owner, agent, credentialId: credential.id, token };
}

/** What authenticateAgent says about a token in this process: "ok" or the error code. */
async function stateOf(token: string): Promise<string> {
  try {
    await authenticateAgent(`Bearer ${token}`);
    return "ok";
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

const setStatusInDbOnly = (tenantId: string, agentId: string, status: "active" | "suspended") =>
  withTenant({ tenantId }, (tx) => tx.agent.update({ where: { id: agentId }, data: { status } }));

async function until(condition: () => boolean, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
const untilLive = () => until(() => authState.isLive, "the auth invalidation channel to come up");

/** Starts from a fresh, live channel and an empty cache (a previous test may have broken it). */
async function freshChannel(token: string) {
  await authState.close();
  await stateOf(token); // the first check that gets past the signature subscribes
  await untilLive();
}

/**
 * Runs `during` while every auth-state load in this process is held between its read of
 * the agent and its kill-switch count (the schema owner locks kill_switches), then lets
 * the loads finish.
 */
let heldBy: pg.Client | undefined;
async function withLoadHeld<T>(during: () => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query("BEGIN");
    await admin.query("LOCK TABLE kill_switches IN ACCESS EXCLUSIVE MODE");
    heldBy = admin;
    return await during();
  } finally {
    heldBy = undefined;
    await admin.query("COMMIT");
    await admin.end();
  }
}

/**
 * Until a load waits on the lock taken by withLoadHeld. (Another test file may also wait on
 * it, so give this process's load a moment more; the tests then check that their in-flight
 * check did read the agent before the change.)
 */
async function untilLoadWaits() {
  for (let i = 0; i < 500; i++) {
    const { rows } = await heldBy!.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'kill_switches'::regclass`);
    if (rows[0]!.n > 0) return sleep(100);
    await sleep(10);
  }
  throw new Error("no load waited on the kill_switches lock");
}

/** The subscriber connection inside authState (private: these tests break it on purpose). */
const subscriberOf = () => (authState as unknown as { subscriber?: Redis }).subscriber;

beforeAll(async () => {
  await ensureSigningKey();
});

// ---------------------------------------------------------------------------------------
// A second process
// ---------------------------------------------------------------------------------------

describe("revocation reaches a second process within one second", () => {
  let probe: Probe;

  beforeAll(async () => {
    probe = await Probe.start();
  });

  afterAll(async () => {
    await probe?.stop();
  });

  /** The probe checks `token`; resolves once it says "ok" with its channel live, i.e. it may cache. */
  async function watch(label: string, token: string) {
    probe.send({ cmd: "watch", label, token });
    await probe.waitFor((l) => l.type === "state" && l.label === label && l.state === "ok" && l.live, 15_000);
    await sleep(100); // a few more rounds, so the state is in its cache
  }

  /** Over ~300 ms of checks, the probe reads nothing from the auth tables: it answers from its cache. */
  async function expectServedFromCache() {
    const before = await probe.stats();
    await sleep(300);
    const after = await probe.stats();
    expect(after.checks - before.checks).toBeGreaterThanOrEqual(5);
    expect(after.authQueries - before.authQueries).toBe(0);
    expect(after.live).toBe(true);
  }

  const stateLine = (label: string, codes: string[]) => (l: ProbeLine): l is Extract<ProbeLine, { type: "state" }> =>
    l.type === "state" && l.label === label && codes.includes(l.state);

  /** Runs `change`, then expects the probe to report one of `codes` for `label` within the limit of the call returning. */
  async function expectPropagated(label: string, codes: string[], change: () => Promise<unknown>) {
    await expectServedFromCache(); // so only the pub/sub message can tell the probe
    const from = probe.lines.length;
    const started = Date.now();
    await change();
    const returned = Date.now();
    const seen = await probe.waitFor(stateLine(label, codes), 5000, from);
    expect(seen.at).toBeGreaterThanOrEqual(started);
    expect(seen.at - returned, `${seen.state} reached the probe ${seen.at - returned} ms after the call returned`).toBeLessThanOrEqual(PROPAGATION_LIMIT_MS);
    // Nothing in between: the probe went straight from ok to the new state.
    expect(probe.lines.slice(from).find((l) => l.type === "state" && l.label === label)).toBe(seen);
    console.info(`[revocation] ${label}: "${seen.state}" seen by the probe ${seen.at - returned} ms after the call returned`);
  }

  it("serves warm checks from memory: no query on agents, credentials or kill switches", async () => {
    const { token } = await agentWithToken();
    await watch("warm", token);
    const stats = await probe.stats();
    expect(stats.authQueries).toBeGreaterThan(0); // the counter works: the cold check did read
    await expectServedFromCache();
  });

  it("suspending the agent → 403 agent_suspended in the probe", async () => {
    const { owner, agent, token } = await agentWithToken();
    await watch("suspend", token);
    await expectPropagated("suspend", ["agent_suspended"], () => changeAgentStatus({ actor: owner, agentId: agent.id, status: "suspended", reason: "misbehaving" }));
  });

  it("revoking the token's credential → 401 invalid_token in the probe", async () => {
    const { owner, agent, credentialId, token } = await agentWithToken();
    await watch("revoke", token);
    await expectPropagated("revoke", ["invalid_token"], () => revokeCredential({ actor: owner, agentId: agent.id, credentialId, reason: "leaked" }));
  });

  it("rotating the secret without overlap → 401 invalid_token in the probe", async () => {
    const { owner, agent, credentialId, token } = await agentWithToken();
    await watch("rotate", token);
    await expectPropagated("rotate", ["invalid_token"], () => rotateClientSecret({ actor: owner, agentId: agent.id, credentialId }));
  });

  it("the tenant kill switch → 403 tenant_killed in the probe", async () => {
    const { owner, token } = await agentWithToken();
    await watch("kill", token);
    await expectPropagated("kill", ["tenant_killed"], () => engageKillSwitch({ actor: owner, request: { scope: "tenant", reason: "incident" } }));
  });

  // 401 (credential revoked with the agent) or 403 (agent_decommissioned): see the report.
  it("decommissioning the agent → its token refused in the probe", async () => {
    const { owner, agent, token } = await agentWithToken();
    await watch("decommission", token);
    await expectPropagated("decommission", ["agent_decommissioned", "invalid_token"], () =>
      changeAgentStatus({ actor: owner, agentId: agent.id, status: "decommissioned", reason: "retired" }),
    );
  });

  it("the end of a rotation overlap → 401 invalid_token in the probe, with no message at that moment", async () => {
    const { owner, agent, credentialId, token } = await agentWithToken();
    await watch("overlap", token);
    const overlapUntil = Date.now() + 1500;
    await rotateClientSecret({ actor: owner, agentId: agent.id, credentialId, overlapUntil: new Date(overlapUntil).toISOString() });
    const from = probe.lines.length;
    await sleep(overlapUntil - Date.now() - 300);
    expect(probe.lines.slice(from).filter((l) => l.type === "state" && l.label === "overlap")).toEqual([]); // still ok during the overlap
    await expectServedFromCache();
    const seen = await probe.waitFor(stateLine("overlap", ["invalid_token"]), 5000, from);
    expect(seen.at).toBeGreaterThanOrEqual(overlapUntil);
    expect(seen.at - overlapUntil).toBeLessThanOrEqual(PROPAGATION_LIMIT_MS);
    console.info(`[revocation] overlap: "invalid_token" seen by the probe ${seen.at - overlapUntil} ms after the overlap ended`);
  });

  // A suspension ends the tokens issued before it: reactivating does not revive them (issue 13, item 15).
  it("reactivating a suspended agent → its old token stays refused (invalid_token) in the probe", async () => {
    const { owner, agent, token } = await agentWithToken();
    await watch("reactivate", token);
    await expectPropagated("reactivate", ["agent_suspended"], () => changeAgentStatus({ actor: owner, agentId: agent.id, status: "suspended", reason: "pause" }));
    await sleep(100);
    await expectPropagated("reactivate", ["invalid_token"], () => changeAgentStatus({ actor: owner, agentId: agent.id, status: "active", reason: "resume" }));
  });
});

// ---------------------------------------------------------------------------------------
// This process, with the invalidation channel broken
// ---------------------------------------------------------------------------------------

describe("the auth cache and its invalidation channel (in process)", () => {
  afterAll(async () => {
    await authState.close();
  });

  it("while the channel is live, answers from memory: a change written without a publish is not seen until one arrives", async () => {
    const { tenant, agent, token } = await agentWithToken();
    await freshChannel(token);
    expect(await stateOf(token)).toBe("ok"); // cached now
    await setStatusInDbOnly(tenant.id, agent.id, "suspended");
    expect(await stateOf(token)).toBe("ok"); // stale by design: nobody published
    await authState.publish({ kind: "agent", id: agent.id });
    expect(await stateOf(token)).toBe("agent_suspended");
  });

  it("while the channel is down, caches nothing: every check reads Postgres", async () => {
    const { tenant, agent, token } = await agentWithToken();
    await freshChannel(token);
    expect(await stateOf(token)).toBe("ok"); // cached

    subscriberOf()!.disconnect(); // the channel goes down and stays down (no reconnect)
    await until(() => !authState.isLive, "the channel to be seen down", 2000);
    await setStatusInDbOnly(tenant.id, agent.id, "suspended");
    expect(await stateOf(token)).toBe("agent_suspended");
    await setStatusInDbOnly(tenant.id, agent.id, "active");
    expect(await stateOf(token)).toBe("ok");
    await setStatusInDbOnly(tenant.id, agent.id, "suspended");
    expect(await stateOf(token)).toBe("agent_suspended");
  });

  it("after the connection drops and comes back, nothing cached before the drop is trusted", async () => {
    const { tenant, agent, token } = await agentWithToken();
    await freshChannel(token);
    expect(await stateOf(token)).toBe("ok"); // cached

    const subscriber = subscriberOf()!;
    const reconnected = new Promise((resolve) => subscriber.once("ready", resolve));
    subscriber.stream.destroy(); // as if the network dropped; ioredis reconnects by itself
    // A suspension made elsewhere while this process was not listening: its message is lost.
    await setStatusInDbOnly(tenant.id, agent.id, "suspended");
    await reconnected;
    await untilLive();
    expect(await stateOf(token)).toBe("agent_suspended");
  });

  // Regression (fixed in 5ba74c9): a load that read the agent before a change committed and
  // finished after that change's invalidation was handled used to be cached, stale until
  // the next message for the agent.
  it("does not cache a load that raced an invalidation", { timeout: 30_000 }, async () => {
    const { owner, agent, token } = await agentWithToken();
    await freshChannel((await agentWithToken()).token); // another agent's token: this one must not be cached yet

    const { inFlight } = await withLoadHeld(async () => {
      const inFlight = stateOf(token); // cache miss: reads the (still active) agent, then waits on the lock
      await untilLoadWaits();
      // Meanwhile the agent is suspended; the invalidation is published and handled.
      await changeAgentStatus({ actor: owner, agentId: agent.id, status: "suspended", reason: "stop now" });
      await sleep(100);
      return { inFlight }; // wrapped: returning the promise itself would wait for it, under the lock
    });
    expect(await inFlight).toBe("ok"); // premise: that check read the agent before the suspension

    await sleep(PROPAGATION_LIMIT_MS + 100);
    expect(await stateOf(token)).toBe("agent_suspended");
  });

  // The same race against the channel coming back: a load that read the agent while the
  // channel was down (so a suspension published meanwhile was missed) and finishes after
  // the re-subscription is cached, stale until the next message for the agent.
  it("does not cache a load that read the agent before the channel came back", { timeout: 30_000 }, async () => {
    const { tenant, agent, token } = await agentWithToken();
    await freshChannel((await agentWithToken()).token);

    const subscriber = subscriberOf()!;
    subscriber.options.retryStrategy = () => 600; // come back 600 ms after the drop, not ~50 ms
    const { inFlight } = await withLoadHeld(async () => {
      subscriber.stream.destroy(); // the channel drops
      await until(() => !authState.isLive, "the channel to be seen down", 2000);
      const inFlight = stateOf(token); // reads the (still active) agent while dark, then waits on the lock
      await untilLoadWaits();
      // Another process suspends the agent now; its message is lost on the dropped channel.
      await setStatusInDbOnly(tenant.id, agent.id, "suspended");
      await untilLive(); // the channel is back (and this process forgot what it had cached)
      return { inFlight }; // wrapped: returning the promise itself would wait for it, under the lock
    });
    expect(await inFlight).toBe("ok"); // premise: that check read the agent before the suspension

    await sleep(PROPAGATION_LIMIT_MS + 100);
    expect(await stateOf(token)).toBe("agent_suspended");
  });
});
