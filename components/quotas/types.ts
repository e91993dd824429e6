// The console's quota shapes, as the routes answer them (components/api.ts derives them
// from the route modules, so they cannot drift from lib/quotas/*).
import type { ConsoleAnswer } from "@/components/api";

/** GET /api/console/t/[tenant]/quotas (lib/quotas/get-usage.ts): limits with their use, hits and spend. */
export type Usage = ConsoleAnswer<"GET", "/t/[tenant]/quotas">;
/** One limit as the Usage page shows and edits it, with its counters. */
export type QuotaLimit = Usage["limits"][number];
/** One counter of a limit: "All agents", a group, or one agent of an "each agent" limit. */
export type UsageRow = QuotaLimit["rows"][number];
