/**
 * OTLP/HTTP traces through the official OpenTelemetry JS SDK and its OTLP exporters
 * (protobuf and JSON), against the real route handler served over HTTP, then the ingest
 * worker and the read API: GenAI spans become model.call / tool.call / run events.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace";
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAgentToken } from "@/lib/agents/agent-token";
import { authState } from "@/lib/agents/auth-state";
import { ensureSigningKey } from "@/lib/agents/signing-keys";
import { db } from "@/lib/db/client";
import { closeDedupeRedis } from "@/lib/ingest/dedupe";
import { closeIngestQueue } from "@/lib/ingest/ingest-events";
import { QUEUES, queueConnection, queuePrefix } from "@/lib/queue/registry";
import { createTestAgent, createTestCredential, createTestTenant, uniq } from "@/lib/testing/factories";
import { GET as getRunRoute } from "@/app/api/v1/runs/[run_id]/route";
import { GET as getEventsRoute } from "@/app/api/v1/runs/[run_id]/events/route";
import { ingestBackoff, processIngest } from "@/workers/ingest";
import { POST } from "./route";

const ctx = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });
let server: Server;
let base: string;
let worker: Worker;
let token: string;
let seen: { contentType: string; status: number }[] = [];

/** Serves the route handler over real HTTP, as `next start` would. */
async function serve() {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const response = await POST(new Request(`${base}${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }), ctx());
    seen.push({ contentType: headers.get("content-type") ?? "", status: response.status });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function api(path: string, runId: string, handler: typeof getRunRoute | typeof getEventsRoute) {
  const res = await handler(new Request(`http://x${path}`, { headers: { authorization: `Bearer ${token}` } }), ctx({ run_id: runId }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function waitForEvents(runId: string, count: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { status, body } = await api(`/api/v1/runs/${runId}`, runId, getRunRoute);
    if (status === 200 && (body.totals as { events: number }).events >= count) break;
    if (Date.now() > deadline) throw new Error(`run ${runId}: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const { body } = await api(`/api/v1/runs/${runId}/events?limit=1000`, runId, getEventsRoute);
  return body.events as Record<string, unknown>[];
}

/** A refund agent's run: the agent span, a model call, a tool call that fails, an unrelated HTTP span. */
function recordRun(tracer: Tracer, opts: { runId?: string } = {}) {
  const root = tracer.startSpan("invoke_agent refund-bot", {
    kind: SpanKind.INTERNAL,
    attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "refund-bot", "gen_ai.provider.name": "openai", ...(opts.runId && { "gatehouse.run_id": opts.runId }) },
  });
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  const chat = tracer.startSpan(
    "chat gpt-x",
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-x", "gen_ai.response.model": "gpt-x-2026-05",
        "gen_ai.usage.input_tokens": 4120, "gen_ai.usage.output_tokens": 980, "gatehouse.cost_usd": 0.27,
      },
    },
    parent,
  );
  chat.end();
  const tool = tracer.startSpan(
    "execute_tool refunds.create",
    {
      attributes: {
        "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "refunds.create", "gatehouse.tool": "stripe", "gen_ai.tool.call.id": "call_1",
        "gen_ai.tool.call.arguments": JSON.stringify({ charge_id: "ch_123", amount_cents: 7500, api_key: "sk_live_abcdefghijklmnop1234" }),
      },
    },
    parent,
  );
  tool.recordException(new Error("card_declined"));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: "card_declined" });
  tool.end();
  tracer.startSpan("GET /v1/charges", { kind: SpanKind.CLIENT }, parent).end(); // not GenAI: skipped
  root.end();
  return root.spanContext();
}

function provider(exporter: SpanExporter, batch = false) {
  return new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "refund-bot" }),
    spanProcessors: [batch ? new BatchSpanProcessor({ exporter }) : new SimpleSpanProcessor({ exporter })],
  });
}

beforeAll(async () => {
  await ensureSigningKey();
  const { tenant, owner } = await createTestTenant();
  const agent = await createTestAgent(tenant.id, owner.user.id);
  const credential = await createTestCredential(tenant.id, agent.id);
  token = (await signAgentToken({ agentId: agent.id, tenantId: tenant.id, credentialId: credential.id, ttlSeconds: 600 })).token;
  await serve();
  worker = new Worker(QUEUES.ingest.name, processIngest, { connection: queueConnection(), prefix: queuePrefix(), concurrency: 8, settings: { backoffStrategy: ingestBackoff } });
});

afterAll(async () => {
  await worker.close();
  server.close();
  await closeIngestQueue();
  await closeDedupeRedis();
  await authState.close();
  await db().$disconnect();
});

describe("POST /api/v1/otlp/v1/traces", () => {
  it("maps a trace exported by the SDK's protobuf exporter to one run, by trace id", async () => {
    seen = [];
    const exporter = new ProtoExporter({ url: `${base}/api/v1/otlp/v1/traces`, headers: { authorization: `Bearer ${token}` } });
    const p = provider(exporter);
    const { traceId } = recordRun(p.getTracer("refund-bot"));
    await p.forceFlush();
    await p.shutdown();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.contentType === "application/x-protobuf" && s.status === 200)).toBe(true);

    const events = await waitForEvents(traceId, 5);
    expect(events.map((e) => e.type).sort()).toEqual(["log", "model.call", "run.finished", "run.started", "tool.call"]);
    const byType = Object.fromEntries(events.map((e) => [e.type, e]));
    expect(byType["model.call"]).toMatchObject({ model: "gpt-x-2026-05", provider: "openai", input_tokens: 4120, output_tokens: 980, cost_usd: 0.27, source: "agent" });
    expect(byType["tool.call"]).toMatchObject({
      tool: "stripe", operation: "refunds.create", status: "error", error: "card_declined", tool_call_id: "call_1",
      args: { charge_id: "ch_123", amount_cents: 7500, api_key: "[REDACTED]" },
    });
    expect(byType["log"]).toMatchObject({ level: "error", message: "card_declined" });
    expect(byType["run.finished"]).toMatchObject({ outcome: "succeeded" });
    const { body: summary } = await api(`/api/v1/runs/${traceId}`, traceId, getRunRoute);
    expect(summary).toMatchObject({ run_id: traceId, status: "finished", totals: { events: 5, tool_calls: 1, errors: 2, input_tokens: 4120, cost_usd: 0.27 } });
    expect(JSON.stringify(events)).not.toContain("sk_live_abcdefghijklmnop1234");
  });

  it("takes the run id from gatehouse.run_id (also for the trace's later spans), works with the JSON exporter, and stores a re-exported batch once", async () => {
    seen = [];
    const runId = `run_otel_${uniq()}`;
    const exporter = new JsonExporter({ url: `${base}/api/v1/otlp/v1/traces`, headers: { authorization: `Bearer ${token}` } });
    const exported: ReadableSpan[] = [];
    const tee: SpanExporter = {
      export: (spans, done) => {
        exported.push(...spans);
        exporter.export(spans, done);
      },
      shutdown: () => exporter.shutdown(),
    };
    const p = provider(tee, true);
    const tracer = p.getTracer("refund-bot");
    const root = recordRun(tracer, { runId });
    await p.forceFlush();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.contentType === "application/json" && s.status === 200)).toBe(true);
    await waitForEvents(runId, 5);

    // A later span of the same trace, exported on its own without the attribute, joins the run.
    tracer.startSpan("chat gpt-x", { attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-x" } }, trace.setSpanContext(ROOT_CONTEXT, root)).end();
    await p.forceFlush();
    expect((await waitForEvents(runId, 6)).filter((e) => e.type === "model.call")).toHaveLength(2);

    // The exporter retries a batch it thinks failed: the same spans again, stored once.
    const before = exported.length;
    await new Promise<void>((resolve) => exporter.export(exported.slice(0, before), () => resolve()));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await waitForEvents(runId, 6)).toHaveLength(6);
    await p.shutdown();
  });

  it("refuses other content types and garbage, and requires a token", async () => {
    const post = (body: BodyInit, type: string, auth = `Bearer ${token}`) =>
      POST(new Request(`${base}/api/v1/otlp/v1/traces`, { method: "POST", headers: { authorization: auth, "content-type": type }, body }), ctx());
    expect((await post("x", "text/plain")).status).toBe(415);
    expect((await post("{not json", "application/json")).status).toBe(400);
    expect((await post(new Uint8Array([0x0a, 0xff, 0xff]), "application/x-protobuf")).status).toBe(400);
    expect((await post("{}", "application/json", "Bearer nope")).status).toBe(401);
    const empty = await post("{}", "application/json");
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({});
  });
});
