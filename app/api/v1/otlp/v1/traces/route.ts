import { env } from "@/lib/env";
import { readBytesCapped } from "@/lib/http/body";
import { agentRoute, reply } from "@/lib/http/route";
import { ingestOtlpTraces, otlpEncoding } from "@/lib/ingest/ingest-otlp";
import { encodeProtobufResponse } from "@/lib/ingest/otlp/decode";

/**
 * OTLP/HTTP traces; point an OTLP exporter at `<base>/api/v1/otlp` with the bearer token as a header.
 * Answers an ExportTraceServiceResponse in the request's encoding; spans whose events failed
 * validation are reported as partial success (rejected_spans).
 */
export const POST = agentRoute({}, async ({ agent, request, requestId }) => {
  const encoding = otlpEncoding(request.headers.get("content-type"));
  const bytes = await readBytesCapped(request, env().MAX_BODY_BYTES);
  const gzip = (request.headers.get("content-encoding") ?? "").toLowerCase() === "gzip";
  const { spans, skipped, rejected, message } = await ingestOtlpTraces({ agent, encoding, gzip, bytes, requestId });
  const headers = { "x-gatehouse-spans": String(spans), "x-gatehouse-spans-skipped": String(skipped) };
  if (encoding === "protobuf") {
    return new Response(Buffer.from(encodeProtobufResponse(rejected, message)), { status: 200, headers: { "content-type": "application/x-protobuf", ...headers } });
  }
  return reply(rejected ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message } } : {}, { status: 200, headers });
});
