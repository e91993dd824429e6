import { agentRoute } from "@/lib/http/route";
import { ingestOtlpTraces } from "@/lib/ingest/ingest-otlp";

/** OTLP/HTTP traces; point an OTLP exporter at `<base>/api/v1/otlp` with the bearer token as a header. */
export const POST = agentRoute({}, async ({ agent, request, requestId }) => ingestOtlpTraces({ agent, request, requestId }));
