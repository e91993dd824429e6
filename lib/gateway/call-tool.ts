/**
 * POST /api/v1/gateway/{tool}/{operation}: the decision pipeline (decideAction, the same
 * code path as POST /api/v1/decisions) decides; only an allowed call is executed, by
 * Gatehouse, with the connection's credential injected and the request sent through the
 * outbound guard (the connection's hosts only, no redirects). The call and its result are
 * attested in the run timeline through the durable decisions queue.
 */
import type { AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { getApprovalStatus } from "@/lib/approvals/get-approval-status";
import { CredentialError, credentialHeaders, forgetAccessToken, usableSecrets } from "@/lib/connections/credential-headers";
import { SecretError } from "@/lib/secrets/envelope";
import { decideAction } from "@/lib/decisions/decide-action";
import type { DecisionResponse } from "@/lib/decisions/schemas";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { REDACTED, redactValue } from "@/lib/ingest/redact";
import { tenantRedactionPaths } from "@/lib/ingest/redaction-settings";
import { outboundFetch, OutboundError, type OutboundResponse } from "@/lib/outbound/fetch";
import { appendDecisionRecords } from "@/lib/decisions/record-stream";
import { findUnstorable, makeStorable, mapStrings } from "@/lib/json/storable";
import { sha256 } from "@/lib/sha256";
import { McpError, ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Connection } from "@/lib/db/generated/client";
import { buildMcpRequest, buildUpstreamRequest } from "./build-request";
import { callMcpUpstream, McpUpstreamError, sessionKey, type McpTarget } from "./mcp-upstream";
import { gatewayCache, isEnforced, type ToolUpstream, type UpstreamOperation } from "./gateway-state";
import { releaseUnsentCall } from "./release-quota";
import { spendOf } from "./spend";
import type { GatewayEventJob, GatewayRequest, GatewayResponse, GatewayResult } from "./schemas";

const REFUSED = "The upstream refused the credential.";
/** Outbound failures that mean nothing reached the upstream (the connection never opened). */
const NEVER_SENT = new Set(["invalid_url", "blocked_address", "host_not_allowed"]);
const CONNECT_FAILED = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH):/;

export async function callTool(input: {
  agent: AgentPrincipal;
  tool: string;
  operation: string;
  request: GatewayRequest;
  requestId?: string;
  /** Told when the call starts waiting for a human (the MCP endpoint sends progress meanwhile). */
  onWaiting?: (approval: { id: string; expires_at: string }) => void;
  /**
   * Aborts when the caller goes away. Asked for only once the call waits for a human (a signal
   * per call would outlive a young-generation GC: lib/http/lean-request.ts).
   */
  cancelled?: () => AbortSignal;
}): Promise<GatewayResponse> {
  const { agent, tool, operation } = input;
  const { wait, ...rest } = input.request;
  const state = await gatewayCache.get(agent.tenantId);
  const upstream = state.tools.get(tool);
  const op = upstream?.operations.get(operation);
  // A registered operation the gateway cannot execute is a setup error, answered before
  // deciding; an unknown tool or operation is the pipeline's to deny (and record).
  if (upstream && op && !(isEnforced(upstream) && (upstream.kind === "mcp" || (upstream.kind === "http" && op.method && op.path))))
    throw new AppError("conflict", `${tool} ${operation} has no upstream with an active connection: set one on the tool (and, for HTTP, a method and path on the operation) in the console.`);

  // Arguments that cannot make a request (a path argument missing, "..") are still decided
  // first (the pipeline usually denies them on the schema); an allowed one is then a 400.
  let built: ReturnType<typeof buildUpstreamRequest> | null = null;
  let unbuildable: AppError | null = null;
  try {
    if (upstream && op)
      built =
        upstream.kind === "mcp"
          ? buildMcpRequest({ baseUrl: upstream.baseUrl!, name: operation, args: rest.args })
          : buildUpstreamRequest({ baseUrl: upstream.baseUrl!, method: op.method!, path: op.path!, args: rest.args });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    unbuildable = error;
  }
  // An allowed call's record is queued with its decision record, in one Redis transaction.
  const queued: { call?: CallRecord } = {};
  const callRecord = async ({ decisionId, outcome }: { decisionId: string; outcome: DecisionResponse["decision"] }) => {
    if (outcome !== "allow" || !upstream || !op || !built) return null;
    queued.call = await callRecordOf({ agent, tool, operation, runId: rest.run_id, args: rest.args, decisionId, upstream, op, built });
    return queued.call.job;
  };
  const decide = async (approvalId?: string) => {
    try {
      return await decideAction({ agent, request: { ...rest, tool, operation, ...(approvalId && { approval_id: approvalId }) }, requestId: input.requestId, via: "gateway", callRecord });
    } catch (error) {
      if (!queued.call) throw error;
      // Nothing follows the record in decideAction but the write itself: the call was not sent.
      const { decisionId, started } = queued.call;
      logger.error("could not queue a gateway call's record; the call was not sent", { error, decisionId });
      await releaseUnsentCall({ subject: subjectOf(agent, rest.run_id), call: { tool, operation, riskClass: op!.riskClass }, decisionId, decidedAt: started });
      throw new AppError("dependency_unavailable", "The gateway could not record the call, so it did not send it. Retry shortly.", { decision_id: decisionId }, 5);
    }
  };
  let decision: DecisionResponse = await decide(rest.approval_id);
  if (decision.decision === "pending_approval" && decision.approval && wait) {
    input.onWaiting?.(decision.approval);
    const signal = input.cancelled?.();
    const status = await getApprovalStatus({ tenantId: agent.tenantId, agentId: agent.agentId, approvalId: decision.approval.id, waitSeconds: wait, signal });
    // Decided in time: redeem it (single-use: a concurrent call with approval_id gets it or
    // this one does, never both); a denied or expired one answers as deny with its reason.
    // A caller that went away meanwhile would never see the result: the call is not made and
    // the approval stays unredeemed, for the caller's retry with approval_id to run it once.
    if (status && status.status !== "pending" && !signal?.aborted) decision = await decide(decision.approval.id);
  }
  if (decision.decision !== "allow" || !upstream || !op) return decision;
  if (!built) {
    await releaseUnsentCall({ subject: subjectOf(agent, rest.run_id), call: { tool, operation, riskClass: op.riskClass }, decisionId: decision.decision_id, decidedAt: new Date() });
    throw unbuildable!;
  }
  const result = await execute({ agent, tool, operation, runId: rest.run_id, args: rest.args, decisionId: decision.decision_id, upstream, op, built }, queued.call!);
  return { ...decision, result };
}

type Call = {
  agent: AgentPrincipal;
  tool: string;
  operation: string;
  runId: string;
  args: Record<string, unknown>;
  decisionId: string;
  upstream: ToolUpstream;
  op: UpstreamOperation;
  built: ReturnType<typeof buildUpstreamRequest>;
};

type CallRecord = {
  job: GatewayEventJob;
  decisionId: string;
  started: Date;
  redaction: Awaited<ReturnType<typeof tenantRedactionPaths>>;
  common: { tool: string; operation: string; decision_id: string; method: string; url: string; request_sha256: string };
};

/** The record of an attempted call (gateway.call), which must be queued before the upstream is contacted. */
async function callRecordOf(call: Call): Promise<CallRecord> {
  const { agent, built } = call;
  const redaction = await tenantRedactionPaths(agent.tenantId);
  const common = { tool: call.tool, operation: call.operation, decision_id: call.decisionId, method: built.method, url: built.urlWithoutQuery, request_sha256: sha256(built.body ?? "") };
  const started = new Date();
  const job: GatewayEventJob = {
    tenantId: agent.tenantId,
    agentId: agent.agentId,
    runExternalId: call.runId,
    key: `${call.decisionId}:call`,
    type: "gateway.call",
    ts: started.toISOString(),
    payload: { ...common, request_body: built.body === undefined ? null : redactValue(call.args, redaction, ["args"]).value, connection_id: call.upstream.connection!.id },
    connection: null,
  };
  return { job, decisionId: call.decisionId, started, redaction, common };
}

type Upstreamed = { status: number; contentType: string | null; raw: Buffer; body?: unknown; truncated: boolean; latencyMs: number };
type Failure = { code: "upstream_unreachable" | "upstream_error" | "upstream_timeout"; message: string };

/** Sends an allowed call whose record (`recorded`) is already queued. */
async function execute(call: Call, recorded: CallRecord): Promise<GatewayResult> {
  const { agent, upstream, op } = call;
  const connection = upstream.connection!;
  const { redaction, common, started } = recorded;
  const eventBase = { tenantId: agent.tenantId, agentId: agent.agentId, runExternalId: call.runId };
  const release = () => releaseUnsentCall({ subject: subjectOf(agent, call.runId), call: { tool: call.tool, operation: call.operation, riskClass: op.riskClass }, decisionId: call.decisionId, decidedAt: started });

  const secrets = new Set<string>();
  let response: Upstreamed | undefined;
  let failure: Failure | undefined;
  let refused: string | null = null;
  let sent = true;
  try {
    response = upstream.kind === "mcp" ? await sendMcp(call, secrets) : await sendHttp(call, secrets);
    if (response.status === 401 || response.status === 403) refused = `${REFUSED} (HTTP ${response.status} from ${common.url})`;
    if (response.status >= 500) failure = { code: "upstream_error", message: `The upstream answered HTTP ${response.status}.` };
  } catch (error) {
    const why = classify(error, upstream, common.url);
    ({ sent, refused } = why);
    failure = why.failure;
  }

  if (!sent) await release();
  const latencyMs = response?.latencyMs ?? Date.now() - started.getTime();
  const contentType = response?.contentType ?? null;
  // An upstream that echoes what it was sent must not hand the credential to the agent or the timeline.
  const secretList = [...secrets];
  const text = response ? scrub(response.raw.toString("utf8"), secretList, response.truncated) : "";
  // JSON escapes (\/ from PHP, \u0026 from Go, \" in any encoder) can hide a secret from the text's scrub and show it once parsed.
  const body = response ? scrubStrings(parseBody(text, contentType, response.truncated), secretList, text) : "";
  // A failure may quote the upstream (an MCP server's error): scrubbed before it is cut, so no part of a secret survives the cut, and storable like its body.
  if (failure) failure = { ...failure, message: makeStorable(scrub(failure.message, secretList).slice(0, 600)) };
  const succeeded = !!response && response.status < 300 && !failure && !(upstream.kind === "mcp" && (body as { isError?: unknown }).isError === true);
  const answered = upstream.kind === "mcp" ? (body as { structuredContent?: unknown }).structuredContent : body;
  const sideEffects = succeeded ? sideEffectsOf(call.tool, op, answered) : [];
  // Spend settles from what the gateway saw, and only for a call the upstream carried out.
  const spendUsd = succeeded ? spendOf(op.spendField, { args: call.args, response: answered }) : null;
  const eventId = `${call.decisionId}:result`;
  // The result's record goes onto Redis's socket now, before the answer, but the answer does
  // not wait for Redis to acknowledge it: that round trip was the last of four sequential hops
  // (decision record, upstream, result record, answer), and on two busy cores each hop can wait
  // milliseconds to be scheduled. A failed write was only logged before, too: the upstream has
  // acted, so the agent gets its answer (a retry would act twice) and the call's record stands.
  void recordEvent({
    ...eventBase,
    key: eventId,
    type: "gateway.result",
    ts: new Date().toISOString(),
    payload: {
      ...common,
      status: response?.status ?? null,
      latency_ms: latencyMs,
      response_sha256: response ? sha256(response.raw) : null,
      response_body: redactValue(body, redaction, ["response"]).value,
      truncated: response?.truncated ?? false,
      side_effects: sideEffects,
      ...(spendUsd !== null && { spend_usd: spendUsd }),
      ...(failure && { error: failure.code, error_message: failure.message, sent }),
    },
    connection: { id: connection.id, refused },
  }).catch((error) => logger.error("could not queue a gateway result's record", { error, decisionId: call.decisionId }));
  if (failure) throw new AppError(failure.code, failure.message, { decision_id: call.decisionId, event_id: eventId, ...(response && { status: response.status }) });
  return {
    status: response!.status,
    content_type: contentType,
    body,
    truncated: response!.truncated,
    side_effects: sideEffects,
    latency_ms: latencyMs,
    event_id: eventId,
    upstream_kind: upstream.kind === "mcp" ? "mcp" : "http",
    ...(spendUsd !== null && { spend_usd: spendUsd }),
  };
}

/** The credential headers of one sealed secret; what they carry joins `secrets`, to be scrubbed from anything shown. */
async function credentialOf(connection: Connection, sealed: string, secrets: Set<string>) {
  const { headers, secret } = await credentialHeaders(connection, sealed);
  secrets.add(secret).add(secret.trim());
  for (const v of Object.values(headers)) secrets.add(v).add(v.replace(/^(Bearer|Basic) /, ""));
  return headers;
}

async function sendHttp(call: Call, secrets: Set<string>): Promise<Upstreamed> {
  const { upstream, built } = call;
  const connection = upstream.connection!;
  let response: OutboundResponse | undefined;
  // The current secret, then (during a rotation overlap) the previous one if the upstream refuses it.
  for (const sealed of usableSecrets(connection)) {
    const credential = await credentialOf(connection, sealed, secrets);
    const headers = { accept: "application/json", ...(built.body !== undefined && { "content-type": "application/json" }), ...credential };
    response = await outboundFetch({
      url: built.url,
      method: built.method,
      headers,
      body: built.body,
      timeoutMs: upstream.timeoutMs,
      maxResponseBytes: upstream.maxResponseBytes,
      allowedHosts: connection.allowedHosts,
      onTooLarge: "truncate",
      redirects: "refuse",
    });
    if (response.status !== 401 && response.status !== 403) break;
    forgetAccessToken(connection, sealed);
  }
  return { status: response!.status, contentType: response!.headers["content-type"] ?? null, raw: response!.body, truncated: response!.truncated, latencyMs: response!.latencyMs };
}

/** tools/call on an MCP upstream; the tool's name there is the operation's name. A refused secret is retried with the previous one. */
async function sendMcp(call: Call, secrets: Set<string>): Promise<Upstreamed> {
  const { upstream } = call;
  const connection = upstream.connection!;
  const candidates = usableSecrets(connection);
  for (const [i, sealed] of candidates.entries()) {
    const target: McpTarget = {
      key: sessionKey({ toolId: upstream.toolId, connectionId: connection.id, sealed, url: upstream.baseUrl! }),
      url: upstream.baseUrl!,
      timeoutMs: upstream.timeoutMs,
      maxResponseBytes: upstream.maxResponseBytes,
      allowedHosts: connection.allowedHosts,
      credential: () => credentialOf(connection, sealed, secrets),
    };
    try {
      const answer = await callMcpUpstream(target, call.operation, call.args);
      return { status: 200, contentType: "application/json", raw: answer.bytes, truncated: false, latencyMs: answer.latencyMs };
    } catch (error) {
      const refusedAtConnect = error instanceof McpUpstreamError && error.stage === "connect" && error.cause instanceof StreamableHTTPError && (error.cause.code === 401 || error.cause.code === 403);
      if (refusedAtConnect) forgetAccessToken(connection, sealed);
      if (!refusedAtConnect || i === candidates.length - 1) throw error;
    }
  }
  throw new Error("unreachable: no usable secret");
}

/** What a failed send means: whether anything reached the upstream, the error the agent sees, a refused credential. */
function classify(error: unknown, upstream: ToolUpstream, url: string): { sent: boolean; failure: Failure; refused: string | null } {
  // An MCP session that never opened called nothing.
  const stage = error instanceof McpUpstreamError ? error.stage : "call";
  const cause = error instanceof McpUpstreamError ? error.cause : error;
  const atCall = stage === "call";
  if (cause instanceof OutboundError) {
    const sent = atCall && !(NEVER_SENT.has(cause.code) || (cause.code === "unreachable" && CONNECT_FAILED.test(cause.message)));
    if (cause.code === "timeout") return { sent, refused: null, failure: { code: "upstream_timeout", message: `The upstream did not answer within ${upstream.timeoutMs} ms.` } };
    if (cause.code === "redirect_refused" || cause.code === "too_large") return { sent, refused: null, failure: { code: "upstream_error", message: cause.publicMessage } };
    return { sent, refused: null, failure: { code: "upstream_unreachable", message: cause.publicMessage } };
  }
  if (cause instanceof CredentialError) return { sent: false, refused: cause.refused ? cause.message : null, failure: { code: "upstream_unreachable", message: cause.message } };
  if (cause instanceof SecretError) {
    // A master key missing from this process, or a damaged row: an operator's problem, never the agent's to see in detail.
    logger.error("a connection's secret does not open", { error: cause, toolId: upstream.toolId });
    return { sent: false, refused: null, failure: { code: "upstream_unreachable", message: "The connection's credential could not be used; an admin must check or rotate it." } };
  }
  if (!(error instanceof McpUpstreamError)) {
    // Not the outbound guard's (which wraps whatever happens once a request is under way): it failed before anything was sent.
    logger.error("a gateway call failed before it was sent", { error, toolId: upstream.toolId });
    return { sent: false, refused: null, failure: { code: "upstream_unreachable", message: "The gateway could not send the call; the server log says why." } };
  }
  if (cause instanceof StreamableHTTPError) {
    if (cause.code === 401 || cause.code === 403) {
      const message = `${REFUSED} (HTTP ${cause.code} from ${url})`;
      return { sent: false, refused: message, failure: { code: "upstream_error", message } };
    }
    // 4xx: the upstream turned the request away; 5xx and the rest may have been mid-way.
    const code = cause.code ?? 0;
    const sent = atCall && !(code >= 400 && code < 500);
    return { sent, refused: null, failure: { code: "upstream_error", message: code > 0 ? `The upstream MCP server answered HTTP ${code}.` : "The upstream MCP server answered with something other than an MCP message." } };
  }
  if (cause instanceof McpError) {
    if (cause.code === ErrorCode.RequestTimeout) return { sent: atCall, refused: null, failure: { code: "upstream_timeout", message: `The upstream did not answer within ${upstream.timeoutMs} ms.` } };
    // A JSON-RPC error from tools/call (e.g. an unknown tool or invalid params): the upstream's words, bounded.
    return { sent: atCall, refused: null, failure: { code: "upstream_error", message: `The upstream MCP server answered with an error: ${cause.message}` } };
  }
  logger.warn("an MCP upstream's answer could not be used", { error: cause, toolId: upstream.toolId });
  return { sent: atCall, refused: null, failure: { code: "upstream_error", message: "The upstream MCP server's answer is not a valid MCP message or tool result." } };
}

const subjectOf = (agent: AgentPrincipal, runId: string) => ({ tenantId: agent.tenantId, agentId: agent.agentId, labels: agent.labels, runId });

/** A call's result, on the decision record stream like the call itself (written once, by its key). */
function recordEvent(job: GatewayEventJob) {
  return appendDecisionRecords([{ tenantId: job.tenantId, records: [], gatewayEvents: [job] }]);
}

/** Every secret in `text` redacted; when `text` was `cut` at a size cap, also the start of a secret the cut went through. */
function scrub(text: string, secrets: string[], cut = false): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  if (cut) for (const secret of secrets) out = withoutSecretStartAtEnd(out, secret);
  return out;
}

/** `text` with its end redacted where it is the start of `secret` (two characters or more: one says next to nothing and would often match by chance). */
function withoutSecretStartAtEnd(text: string, secret: string): string {
  for (let at = Math.max(0, text.length - secret.length + 1); at <= text.length - 2; at++) {
    if (text.charCodeAt(at) === secret.charCodeAt(0) && secret.startsWith(text.slice(at))) return text.slice(0, at) + REDACTED;
  }
  return text;
}

/**
 * Scrubs every string and key of a parsed body. Without a backslash in its (scrubbed) text,
 * each parsed string is a piece of that text and has nothing left to scrub, so the common
 * answer costs one scan.
 */
function scrubStrings(body: unknown, secrets: string[], text: string): unknown {
  if (typeof body === "object" && body !== null && !text.includes("\\")) return body;
  return mapStrings(body, (s) => scrub(s, secrets));
}

/**
 * The upstream's body as the agent and the run record see it: parsed when it is whole JSON.
 * It is a third party's JSON, so what Postgres could not store is fixed here, before it is
 * answered or recorded (a record the worker cannot write would be dead-lettered, not
 * attested): NUL and lone surrogates become U+FFFD, and JSON nested deeper than any argument
 * may be stays its text.
 */
function parseBody(text: string, contentType: string | null, truncated: boolean): unknown {
  if (truncated || !contentType?.includes("json")) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (!findUnstorable(parsed)) return parsed;
  makeStorable(parsed);
  return findUnstorable(parsed) ? text : parsed;
}

function sideEffectsOf(system: string, op: UpstreamOperation, body: unknown): GatewayResult["side_effects"] {
  const fields = op.sideEffectFields;
  if (!fields || typeof body !== "object" || body === null || Array.isArray(body)) return [];
  const record = body as Record<string, unknown>;
  const pick = (field: string | undefined) => (field && (typeof record[field] === "string" || typeof record[field] === "number") ? String(record[field]) : undefined);
  const objectId = pick(fields.id);
  const url = pick(fields.url);
  if (!objectId && !url) return [];
  return [{ system, object_type: fields.object_type ?? "object", ...(objectId && { object_id: objectId }), ...(url && { url }) }];
}
