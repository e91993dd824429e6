import { db } from "@/lib/db/client";

/**
 * Creates the daily run_events partitions from yesterday to a week ahead (a SECURITY
 * DEFINER function: the app role owns no table). Returns how many were created.
 */
export async function ensureRunEventPartitions(days = 9): Promise<number> {
  const rows = await db().$queryRaw<{ created: number }[]>`
    SELECT ensure_run_event_partitions(((now() AT TIME ZONE 'UTC')::date) - 1, ${days}::int) AS created`;
  return Number(rows[0]?.created ?? 0);
}
