import { logger } from "@/lib/logger";

type Pending<J> = { job: J; resolve: () => void; reject: (e: unknown) => void };

/**
 * Groups the jobs a worker holds at once into large writes: jobs wait until `maxSize`
 * units (events, records) are pending or `maxWaitMs` passed, then one `write` per tenant
 * stores them all in one transaction. Each job's promise settles only after its rows
 * committed, so BullMQ completes a job only once it is durable in Postgres. At most
 * `parallel` writes run at once (Postgres writes one batch while this process prepares the
 * next); jobs arriving meanwhile form the next batch. If a combined write fails, it is
 * split until the failing job is alone, so one bad job cannot hold the others back.
 */
export class TenantBatcher<J> {
  private pending: Pending<J>[] = [];
  private pendingSize = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing = 0;

  constructor(
    private readonly opts: {
      name: string;
      maxSize: number;
      maxWaitMs: number;
      parallel?: number;
      sizeOf: (job: J) => number;
      tenantOf: (job: J) => string;
      write: (tenantId: string, jobs: J[]) => Promise<unknown>;
    },
  ) {}

  add(job: J): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      this.pendingSize += this.opts.sizeOf(job);
      if (this.pendingSize >= this.opts.maxSize) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.opts.maxWaitMs);
    });
  }

  private kick() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writing >= (this.opts.parallel ?? 1) || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingSize = 0;
    this.writing++;
    void this.write(batch).finally(() => {
      this.writing--;
      if (this.pending.length) this.kick();
    });
  }

  private async write(batch: Pending<J>[]) {
    const byTenant = new Map<string, Pending<J>[]>();
    for (const p of batch) {
      const tenantId = this.opts.tenantOf(p.job);
      byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), p]);
    }
    for (const [tenantId, group] of byTenant) await this.writeGroup(tenantId, group);
  }

  /**
   * A failed combined write is split in halves, each written on its own, down to the job
   * that fails alone: one bad job among n costs about 2·log2(n) writes, and every other job
   * of the tenant is stored at once (writing them one by one throttled the whole tenant to
   * a few hundred events per second for as long as a bad job kept coming back).
   */
  private async writeGroup(tenantId: string, group: Pending<J>[]): Promise<void> {
    try {
      await this.opts.write(tenantId, group.map((p) => p.job));
      for (const p of group) p.resolve();
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      logger.warn(`${this.opts.name}: combined write failed, splitting it to isolate the failing job`, { tenantId, jobs: group.length, error });
      const half = Math.ceil(group.length / 2);
      await this.writeGroup(tenantId, group.slice(0, half));
      await this.writeGroup(tenantId, group.slice(half));
    }
  }
}
