import { agentRoute, reply } from "@/lib/http/route";
import { ingestEvents } from "@/lib/ingest/ingest-events";
import { eventsRequestEnvelope } from "@/lib/ingest/schemas";

export const POST = agentRoute({ body: eventsRequestEnvelope, checksStorableItself: true }, async ({ agent, body, requestId }) =>
  reply(await ingestEvents({ agent, events: body.events, requestId }), { status: 202 }),
);
