import { authState, type Invalidation } from "./auth-state";

/**
 * Per-tenant state held in memory for the decision hot path (the policy, the quota
 * limits). An entry is dropped when any process publishes an invalidation of one of
 * `kinds` for the tenant, and is only cached while the invalidation channel is live, so
 * staleness can never outlive the channel. `ttlMs` bounds it anyway, for edits that
 * publish nothing (the tool registry).
 */
export class TenantCache<T> {
  private tenants = new Map<string, { value: T; loadedAt: number }>();
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
      if (message.kind === "reset") this.tenants.clear();
      else if (this.options.kinds.includes(message.kind)) this.tenants.delete(message.id);
    });
  }

  async get(tenantId: string): Promise<T> {
    this.subscribe();
    const cached = this.tenants.get(tenantId);
    if (cached && Date.now() - cached.loadedAt < this.options.ttlMs) return cached.value;
    let load = this.loading.get(tenantId);
    if (!load) {
      const generation = this.generation;
      load = this.options.load(tenantId).then((value) => {
        if (authState.isLive && generation === this.generation) this.tenants.set(tenantId, { value, loadedAt: Date.now() });
        return value;
      });
      this.loading.set(tenantId, load);
      const forget = () => this.loading.get(tenantId) === load && this.loading.delete(tenantId);
      load.then(forget, forget);
    }
    return load;
  }

  /** Tells every process to reload the tenant (call after the change has committed). */
  async invalidate(tenantId: string) {
    await authState.publish({ kind: this.options.kinds[0], id: tenantId });
  }
}
