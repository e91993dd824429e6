import { useQuery } from "@tanstack/react-query";
import { consoleApi } from "@/components/api";

/** Every approvals query of a tenant starts with this key: a vote invalidates them all. */
export const approvalsKey = (slug: string) => ["approvals", slug];
export const pendingCountKey = (slug: string) => [...approvalsKey(slug), "pending-count"];

/** How often open approval views re-read (paused while the tab is hidden: TanStack's default). */
export const LIVE_INTERVAL_MS = 2000;

/**
 * Requests waiting for a human, for the sidebar badge: seeded by the tenant layout, then
 * re-read every 15 s; the queue page refreshes it whenever it reads an unfiltered queue.
 */
export function usePendingApprovalCount(slug: string, initial: number) {
  return useQuery({
    queryKey: pendingCountKey(slug),
    queryFn: async () => (await consoleApi("GET", "/t/[tenant]/approvals", { params: { tenant: slug }, query: { pageSize: 1 } })).counts.pending,
    initialData: initial,
    refetchInterval: 15_000,
  });
}
