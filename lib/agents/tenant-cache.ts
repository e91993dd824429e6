import { authState, type Invalidation } from "./auth-state";

/** An entry nobody asked for in this long is dropped rather than kept fresh. */
const KEEP_FRESH_WHILE_USED_MS = 10 * 60_000;

/**
 * Per-tenant state held in memory for the decision hot path (the policy, the quota
 * limits). An entry is dropped when any process publishes an invalidation of one of
 * `kinds` for the tenant, and is only cached while the invalidation channel is live, so
 * staleness can never outlive the channel. `ttlMs` bounds it anyway, for edits that
 * publish nothing (the tool registry).
 *
 * Entries in use are reloaded in the background once half their time has passed, so a
 * request never waits for a reload that only the clock asked for: when each expiry made
 * the next request load from Postgres, every serving process stalled for tens of ms every
 * few seconds, and after a quiet spell for hundreds (docs/PERFORMANCE.md, issue 15). A
 * request still waits after an invalidation, and for an entry past `ttlMs`: a refresh
 * that failed or was late does not stretch the promise.
 */
export class TenantCache<T> {
  private tenants = new Map<string, { value: T; loadedAt: number; usedAt: number }>();
  // One load per tenant at a time: a burst of first requests shares it instead of opening a transaction each.
  private loading = new Map<string, Promise<T>>();
  private generation = 0;
  private subscribed = false;

  constructor(
    /** `kinds[0]` is what `invalidate` publishes; the rest are also heard. */
    private readonly options: { kinds: [Invalidation["kind"], ...Invalidation["kind"][]]; ttlMs: number; load: (tenantId: string) => Promise<T> },
  ) {}

  private subscribe() {
    if (this.subscribed) return;
    this.subscribed = true;
    authState.onInvalidation((message) => {
      this.generation++;
      // Loads in flight began before the change: a request after it must not share them.
      if (message.kind === "reset") {
        this.tenants.clear();
        this.loading.clear();
      } else if (this.options.kinds.includes(message.kind)) {
        this.tenants.delete(message.id);
        this.loading.delete(message.id);
      }
    });
    // Checked three times per lifetime, so an entry is reloaded between half and five sixths of it.
    setInterval(() => this.refreshAging(), this.options.ttlMs / 3).unref();
  }

  async get(tenantId: string): Promise<T> {
    this.subscribe();
    const now = Date.now();
    const cached = this.tenants.get(tenantId);
    if (cached && now - cached.loadedAt < this.options.ttlMs) {
      cached.usedAt = now;
      return cached.value;
    }
    return this.load(tenantId);
  }

  /** Tells every process to reload the tenant (call after the change has committed). */
  async invalidate(tenantId: string) {
    await authState.publish({ kind: this.options.kinds[0], id: tenantId });
  }

  private load(tenantId: string): Promise<T> {
    let load = this.loading.get(tenantId);
    if (!load) {
      const generation = this.generation;
      load = this.options.load(tenantId).then((value) => {
        if (authState.isLive && generation === this.generation) this.tenants.set(tenantId, { value, loadedAt: Date.now(), usedAt: this.tenants.get(tenantId)?.usedAt ?? Date.now() });
        return value;
      });
      this.loading.set(tenantId, load);
      const forget = () => this.loading.get(tenantId) === load && this.loading.delete(tenantId);
      load.then(forget, forget);
    }
    return load;
  }

  private refreshAging() {
    const now = Date.now();
    for (const [tenantId, entry] of this.tenants) {
      if (now - entry.usedAt > KEEP_FRESH_WHILE_USED_MS) this.tenants.delete(tenantId);
      // A failed refresh leaves the entry to expire; the next request then loads (and sees the error).
      else if (now - entry.loadedAt >= this.options.ttlMs / 2) this.load(tenantId).catch(() => {});
    }
  }
}
