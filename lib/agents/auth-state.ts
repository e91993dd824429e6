/**
 * What token verification needs to know besides the signature — is the agent active,
 * is the credential behind the token still valid, is the tenant's kill switch off — held
 * in memory so the hot path makes no database query.
 *
 * Entries load from Postgres on first use and are dropped when any process publishes an
 * invalidation on Redis pub/sub (suspend, revoke, kill switch), so a change reaches every
 * web and worker process in milliseconds. When the subscription is not live (Redis down,
 * reconnecting) nothing is cached: every check reads Postgres, so staleness can never
 * outlive the channel.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import type { AgentStatus } from "@/lib/db/generated/enums";
import { withTenant } from "@/lib/db/tenant";
import { logger } from "@/lib/logger";
import { createRedis, redisKey } from "@/lib/redis";

export type AgentAuthState = {
  tenantId: string;
  agentId: string;
  name: string;
  labels: string[];
  status: AgentStatus;
  tenantKilled: boolean;
  tokensValidAfter: Date | null;
  credentials: Map<string, { revokedAt: Date | null; expiresAt: Date | null }>;
};

const invalidation = z.object({ kind: z.enum(["agent", "tenant", "policy", "quotas", "settings"]), id: z.string() });
/** agent: one agent changed; tenant: tenant kill switch; policy: a tenant's published policy, registry or tool kill switches; quotas: its limits; settings: its tenant settings (redaction paths). */
export type Invalidation = z.infer<typeof invalidation>;
/** What other in-memory caches hear: each message, and "reset" when the channel drops or returns. */
export type InvalidationListener = (message: Invalidation | { kind: "reset" }) => void;

const channel = () => redisKey("auth-invalidate");

class AuthStateCache {
  private agents = new Map<string, AgentAuthState>();
  private subscriber: Redis | undefined;
  private live = false;
  private publisher: Redis | undefined;
  // Bumped on every invalidation, so a load that raced one is not cached.
  private generation = 0;
  private listeners: InvalidationListener[] = [];
  // Loads in flight, shared: before the channel is live (start, reconnect) nothing is cached,
  // and every request for a busy agent opened its own transaction until the pool ran dry (500s).
  // An invalidation drops the loads it concerns, so a request after a revocation never shares
  // a read that began before it.
  private loading = new Map<string, Promise<AgentAuthState | null>>();

  /** Lets another cache (the policy engine) ride the same channel and its safety rules. */
  onInvalidation(listener: InvalidationListener) {
    this.ensureSubscribed();
    this.listeners.push(listener);
  }

  private notify(message: Invalidation | { kind: "reset" }) {
    for (const listener of this.listeners) listener(message);
  }

  private ensureSubscribed() {
    if (this.subscriber) return;
    const sub = createRedis({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.subscriber = sub;
    const goDark = () => {
      if (this.live) logger.warn("auth invalidation channel down: reading agent state from Postgres");
      this.live = false;
      this.generation++;
      this.agents.clear();
      this.loading.clear();
      this.notify({ kind: "reset" });
    };
    sub.on("close", goDark);
    sub.on("error", goDark);
    sub.on("ready", () => {
      sub.subscribe(channel()).then(
        () => {
          // Anything published while we were away is unknown, including what loads
          // already in flight read: forget the entries and refuse to cache those loads.
          this.generation++;
          this.agents.clear();
          this.loading.clear();
          this.notify({ kind: "reset" });
          this.live = true;
        },
        goDark,
      );
    });
    sub.on("message", (_channel, message) => {
      const parsed = invalidation.safeParse(safeJson(message));
      if (!parsed.success) return;
      this.generation++;
      this.forget(parsed.data);
      this.notify(parsed.data);
    });
  }

  async get(tenantId: string, agentId: string): Promise<AgentAuthState | null> {
    this.ensureSubscribed();
    const cached = this.agents.get(agentId);
    if (cached && cached.tenantId === tenantId) return cached;
    const key = `${tenantId}/${agentId}`;
    let load = this.loading.get(key);
    if (!load) {
      const generation = this.generation;
      load = loadAgentAuthState(tenantId, agentId)
        .then((state) => {
          if (state && this.live && generation === this.generation) this.agents.set(agentId, state);
          return state;
        })
        .finally(() => this.loading.get(key) === load && this.loading.delete(key));
      this.loading.set(key, load);
    }
    return load;
  }

  /** Tells every process to forget cached state. Call after the change has committed. */
  async publish(message: Invalidation) {
    this.publisher ??= createRedis({ maxRetriesPerRequest: 2 });
    // Local first, so this process is right even if Redis is unreachable.
    this.generation++;
    this.forget(message);
    this.notify(message);
    try {
      await this.publisher.publish(channel(), JSON.stringify(message));
    } catch (error) {
      logger.error("could not publish auth invalidation; other processes fall back when their channel drops", { error, message });
    }
  }

  private forget(message: Invalidation) {
    if (message.kind === "agent") {
      this.agents.delete(message.id);
      for (const key of this.loading.keys()) if (key.endsWith(`/${message.id}`)) this.loading.delete(key);
    } else if (message.kind === "tenant") {
      for (const [id, state] of this.agents) if (state.tenantId === message.id) this.agents.delete(id);
      for (const key of this.loading.keys()) if (key.startsWith(`${message.id}/`)) this.loading.delete(key);
    }
  }

  get isLive() {
    return this.live;
  }

  async close() {
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
    this.subscriber = this.publisher = undefined;
    this.live = false;
    this.agents.clear();
  }
}

async function loadAgentAuthState(tenantId: string, agentId: string): Promise<AgentAuthState | null> {
  return withTenant({ tenantId }, async (tx) => {
    const [agent, killed] = await Promise.all([
      tx.agent.findUnique({
        where: { id: agentId },
        select: { tenantId: true, name: true, labels: true, status: true, tokensValidAfter: true, credentials: { select: { id: true, revokedAt: true, expiresAt: true } } },
      }),
      tx.killSwitch.count({ where: { tenantId, scope: "tenant", liftedAt: null } }),
    ]);
    if (!agent || agent.tenantId !== tenantId) return null;
    return {
      tenantId,
      agentId,
      name: agent.name,
      labels: agent.labels,
      status: agent.status,
      tenantKilled: killed > 0,
      tokensValidAfter: agent.tokensValidAfter,
      credentials: new Map(agent.credentials.map((c) => [c.id, { revokedAt: c.revokedAt, expiresAt: c.expiresAt }])),
    };
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const globalCache = globalThis as unknown as { gatehouseAuthState?: AuthStateCache };
export const authState = (globalCache.gatehouseAuthState ??= new AuthStateCache());
