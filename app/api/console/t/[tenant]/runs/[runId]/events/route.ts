import { z } from "zod";
import { memberRoute } from "@/lib/http/route";
import { findEventPosition } from "@/lib/runs/find-event-position";
import { consoleRunEventsQuery, listConsoleRunEvents } from "@/lib/runs/list-run-events";

const query = consoleRunEventsQuery.extend({ find: z.string().min(1).max(200).optional() });

/** A page of the timeline (by cursor or position), or with `find=<event id>` that event's position. */
export const GET = memberRoute({ permission: "console.view", query }, async ({ member, params, query }) => {
  if (query.find) return { found: await findEventPosition({ tenantId: member.tenant.id, runId: params.runId!, key: query.find }) };
  return listConsoleRunEvents({ tenantId: member.tenant.id, runId: params.runId!, after: query.after, offset: query.offset, limit: query.limit });
});
