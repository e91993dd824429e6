import { z } from "zod";
import { decisionRequest, decisionResponse } from "@/lib/decisions/schemas";

/** Longest a gateway call may be held for an approval (API.md §7, like the approval long poll). */
export const MAX_WAIT_SECONDS = 30;

const { tool: _tool, operation: _operation, ...decisionFields } = decisionRequest.shape;

/** A decision request without tool and operation (they are in the path), plus `wait`. (route() refuses text Postgres cannot store before this runs.) */
export const gatewayRequest = z
  .object({ ...decisionFields, wait: z.number().min(0).max(MAX_WAIT_SECONDS).optional() })
  .meta({ id: "GatewayRequest" });

export const gatewayResult = z.object({
  status: z.number().int(),
  content_type: z.string().nullable(),
  body: z.unknown(),
  truncated: z.boolean(),
  side_effects: z.array(z.object({ system: z.string(), object_type: z.string(), object_id: z.string().optional(), url: z.string().optional() })),
  latency_ms: z.number(),
  event_id: z.string(),
  /** "mcp": `body` is the upstream MCP server's tools/call result (content, structuredContent, isError). */
  upstream_kind: z.enum(["http", "mcp"]).optional(),
  /** What the call cost, read from the arguments or the answer per the operation's spend field; settled against spend limits. */
  spend_usd: z.number().optional(),
});

export const gatewayResponse = decisionResponse.extend({ result: gatewayResult.optional() }).meta({ id: "GatewayResponse" });

export type GatewayRequest = z.infer<typeof gatewayRequest>;
export type GatewayResult = z.infer<typeof gatewayResult>;
export type GatewayResponse = z.infer<typeof gatewayResponse>;

/** One attested timeline entry of a gateway call, written by the worker (lib/gateway/record-gateway-event.ts). */
export const gatewayEventJob = z.object({
  tenantId: z.string(),
  agentId: z.string(),
  runExternalId: z.string(),
  key: z.string(),
  type: z.enum(["gateway.call", "gateway.result"]),
  ts: z.iso.datetime(),
  payload: z.record(z.string(), z.unknown()),
  /** What the call says about its connection: used, or refused by the upstream (alerted once). */
  connection: z.object({ id: z.string(), refused: z.string().nullable() }).nullable(),
});
export type GatewayEventJob = z.infer<typeof gatewayEventJob>;
