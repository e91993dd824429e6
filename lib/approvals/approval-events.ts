/**
 * "This approval was decided": published on Redis by whichever process records the vote
 * or expiry, heard by every process holding a long poll for it (GET /api/v1/approvals/{id}?wait=).
 */
import type { Redis } from "ioredis";
import { logger } from "@/lib/logger";
import { createRedis, redisKey } from "@/lib/redis";

const channel = () => redisKey("approval-decided");

class ApprovalEvents {
  private subscriber: Redis | undefined;
  private publisher: Redis | undefined;
  private ready: Promise<void> | undefined;
  private waiters = new Map<string, Set<() => void>>();

  private subscribe(): Promise<void> {
    if (!this.ready) {
      const sub = createRedis({ maxRetriesPerRequest: null });
      this.subscriber = sub;
      sub.on("message", (_c, approvalId: string) => {
        for (const wake of this.waiters.get(approvalId) ?? []) wake();
      });
      sub.on("error", (error) => logger.warn("approval events subscriber error", { error: error.message }));
      this.ready = sub.subscribe(channel()).then(() => undefined);
    }
    return this.ready;
  }

  /** Resolves when the approval is announced as decided, after `ms`, or when `signal` aborts, whichever is first. */
  async waitFor(approvalId: string, ms: number, signal?: AbortSignal): Promise<"decided" | "timeout" | "cancelled"> {
    await this.subscribe();
    if (signal?.aborted) return "cancelled";
    return new Promise((resolve) => {
      const set = this.waiters.get(approvalId) ?? new Set();
      this.waiters.set(approvalId, set);
      const done = (result: "decided" | "timeout" | "cancelled") => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", cancel);
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(approvalId);
        resolve(result);
      };
      const wake = () => done("decided");
      const cancel = () => done("cancelled");
      const timer = setTimeout(() => done("timeout"), ms);
      signal?.addEventListener("abort", cancel, { once: true });
      set.add(wake);
    });
  }

  /** How many requests in this process wait for the approval (a test waits on it). */
  waiting(approvalId: string): number {
    return this.waiters.get(approvalId)?.size ?? 0;
  }

  async announce(approvalId: string) {
    this.publisher ??= createRedis({ maxRetriesPerRequest: 2 });
    for (const wake of this.waiters.get(approvalId) ?? []) wake(); // this process first
    await this.publisher.publish(channel(), approvalId).catch((error) => logger.error("could not announce approval decision", { error, approvalId }));
  }

  async close() {
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
    this.subscriber = this.publisher = undefined;
    this.ready = undefined;
  }
}

const globalEvents = globalThis as unknown as { gatehouseApprovalEvents?: ApprovalEvents };
export const approvalEvents = (globalEvents.gatehouseApprovalEvents ??= new ApprovalEvents());
