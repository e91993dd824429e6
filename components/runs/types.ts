// The console's run shapes, as the routes answer them (components/api.ts derives them from
// the route modules, so they cannot drift from lib/runs/*).
import type { ConsoleAnswer } from "@/components/api";

/** One row of GET /api/console/t/[tenant]/runs (lib/runs/list-runs.ts). */
export type RunRow = ConsoleAnswer<"GET", "/t/[tenant]/runs">["runs"][number];

/** GET /api/console/t/[tenant]/runs/[runId] (lib/runs/get-run.ts runSummary). */
export type RunSummary = ConsoleAnswer<"GET", "/t/[tenant]/runs/[runId]">;

/** GET …/runs/[runId]/events answers a timeline page, or with `find=` an event's position. */
type EventsAnswer = ConsoleAnswer<"GET", "/t/[tenant]/runs/[runId]/events">;

/** A page of the timeline (lib/runs/list-run-events.ts listConsoleRunEvents). */
export type TimelinePage = Exclude<EventsAnswer, { found: unknown }>;

/** One timeline event (lib/runs/list-run-events.ts toApiEvent, plus `seq`). */
export type TimelineEvent = TimelinePage["events"][number];

/** GET …/runs/[runId]/state?position= (lib/runs/get-replay-state.ts). */
export type ReplayState = ConsoleAnswer<"GET", "/t/[tenant]/runs/[runId]/state">;
