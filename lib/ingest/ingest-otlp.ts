import { gunzipSync } from "node:zlib";
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { ingestEvents } from "./ingest-events";
import { OtlpDecodeError, decodeJson, decodeProtobuf, type OtlpSpan } from "./otlp/decode";
import { mapSpans, tracesWithoutRunId } from "./otlp/map-spans";
import { recallTraceRuns, rememberTraceRuns } from "./otlp/trace-runs";
import { MAX_EVENTS_PER_REQUEST } from "./schemas";

/**
 * POST /api/v1/otlp/v1/traces: OTLP/HTTP (protobuf or JSON, optionally gzip), mapped to
 * run events (otlp/map-spans.ts) and then through the same path as POST /api/v1/events:
 * validated, attributed to the calling agent, redacted, queued, stored once per span.
 * Says how many spans it read and skipped, and how many were rejected (their events failed
 * validation) and why: the route answers that as an ExportTraceServiceResponse.
 */
export async function ingestOtlpTraces(input: {
  agent: AgentPrincipal;
  encoding: OtlpEncoding;
  gzip: boolean;
  bytes: Uint8Array;
  requestId?: string;
}): Promise<{ spans: number; skipped: number; rejected: number; message: string }> {
  const protobuf = input.encoding === "protobuf";
  let bytes = input.bytes;
  if (input.gzip) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: env().MAX_BODY_BYTES * 4 });
    } catch {
      throw new AppError("malformed_json", "The gzip body could not be decompressed.");
    }
  }
  let spans: OtlpSpan[];
  try {
    spans = protobuf ? decodeProtobuf(bytes) : decodeJson(JSON.parse(Buffer.from(bytes).toString("utf8")));
  } catch (error) {
    const why = error instanceof OtlpDecodeError || error instanceof SyntaxError ? error.message : "unreadable";
    throw new AppError(protobuf ? "validation_failed" : "malformed_json", `Not an OTLP trace export request: ${why}.`);
  }

  const known = await recallTraceRuns(input.agent.tenantId, tracesWithoutRunId(spans));
  const { events, skipped, runOf } = mapSpans(spans, known);
  let rejected = 0;
  const messages: string[] = [];
  for (let i = 0; i < events.length; i += MAX_EVENTS_PER_REQUEST) {
    const result = await ingestEvents({ agent: input.agent, events: events.slice(i, i + MAX_EVENTS_PER_REQUEST), requestId: input.requestId });
    rejected += result.rejected.length;
    for (const r of result.rejected.slice(0, 3)) messages.push(`${String(events[i + r.index]?.id)}: ${JSON.stringify(r.error.details ?? r.error.message)}`);
  }
  await rememberTraceRuns(input.agent.tenantId, runOf);
  const message = rejected ? `${rejected} span events failed validation: ${messages.join("; ")}` : "";
  return { spans: spans.length, skipped, rejected, message };
}

export type OtlpEncoding = "protobuf" | "json";

/** The encoding a Content-Type names; OTLP/HTTP has two. */
export function otlpEncoding(contentType: string | null): OtlpEncoding {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  throw new AppError("unsupported_media_type", "Send OTLP as application/x-protobuf or application/json.");
}
