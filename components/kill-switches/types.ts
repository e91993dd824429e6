// The console's kill-switch shapes, as the routes answer them (components/api.ts derives them
// from the route modules, so they cannot drift from lib/kill-switches/*).
import type { ConsoleAnswer } from "@/components/api";

/** An engaged kill switch: one of GET /api/console/t/[tenant]/kill-switches (lib/kill-switches/engage-kill-switch.ts listActiveKillSwitches). */
export type ActiveKillSwitch = ConsoleAnswer<"GET", "/t/[tenant]/kill-switches">["killSwitches"][number];

/** A tool the panel can stop, as the Agents page lists them from the registry; a page prop, not a route's answer. */
export type ToolOption = { name: string; displayName: string };
