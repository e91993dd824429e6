import type { Connection } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { TenantCache } from "@/lib/agents/tenant-cache";
import type { SpendField } from "@/lib/tools/schemas";

export type UpstreamOperation = { method: string | null; path: string | null; sideEffectFields: Record<string, string> | null; spendField: SpendField | null; riskClass: string };
export type ToolUpstream = {
  toolId: string;
  kind: "none" | "http" | "mcp";
  baseUrl: string | null;
  timeoutMs: number;
  maxResponseBytes: number;
  connection: Connection | null;
  operations: Map<string, UpstreamOperation>;
};

/**
 * What the gateway and the decision pipeline need per tenant, in memory: each tool's
 * upstream and connection (secrets stay sealed here), and whether decisions-only use of an
 * enforced tool is denied. Dropped on every policy/registry invalidation of the tenant.
 */
export type GatewayState = { enforceGateway: boolean; tools: Map<string, ToolUpstream> };

/** A tool is enforced when its calls go through the gateway with a vaulted credential. */
export function isEnforced(upstream: Pick<ToolUpstream, "kind" | "baseUrl" | "connection"> | undefined): boolean {
  return !!upstream && upstream.kind !== "none" && !!upstream.baseUrl && upstream.connection?.status === "active";
}

export function gatewaySettingOf(settings: unknown): boolean {
  return typeof settings === "object" && settings !== null && (settings as Record<string, unknown>).enforceGatewayForEnforcedTools === true;
}

export async function loadGatewayState(tenantId: string): Promise<GatewayState> {
  return withTenant({ tenantId }, async (tx) => {
    const [tenant, tools] = await Promise.all([
      tx.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } }),
      tx.tool.findMany({
        where: { tenantId },
        include: { connection: true, operations: { select: { name: true, httpMethod: true, httpPath: true, sideEffectFields: true, spendField: true, riskClass: true } } },
      }),
    ]);
    return {
      enforceGateway: gatewaySettingOf(tenant?.settings),
      tools: new Map(
        tools.map((t) => [
          t.name,
          {
            toolId: t.id,
            kind: t.upstreamKind as ToolUpstream["kind"],
            baseUrl: t.upstreamBaseUrl,
            timeoutMs: t.timeoutMs,
            maxResponseBytes: t.maxResponseBytes,
            // RLS scopes the relation, but a tool must never use another tenant's credential.
            connection: t.connection && t.connection.tenantId === tenantId ? t.connection : null,
            operations: new Map(
              t.operations.map((o) => [
                o.name,
                {
                  method: o.httpMethod,
                  path: o.httpPath,
                  sideEffectFields: (o.sideEffectFields as Record<string, string> | null) ?? null,
                  spendField: (o.spendField as SpendField | null) ?? null,
                  riskClass: o.riskClass,
                },
              ]),
            ),
          },
        ]),
      ),
    };
  });
}

const globalCache = globalThis as unknown as { gatehouseGatewayCache?: TenantCache<GatewayState> };
export const gatewayCache = (globalCache.gatehouseGatewayCache ??= new TenantCache({ kinds: ["policy", "tenant"], ttlMs: 30_000, load: loadGatewayState }));

/** After a connection, upstream or gateway setting change has committed: every process reloads. */
export function gatewayChanged(tenantId: string): Promise<void> {
  return gatewayCache.invalidate(tenantId);
}

export const GATEWAY_REQUIRED = {
  code: "gateway_required",
  message: "This tool is enforced by the Gatehouse gateway: call it through POST /api/v1/gateway/{tool}/{operation}.",
};

/** Whether decisions-only use of this tool is denied (tenant setting, tool enforced). */
export async function gatewayRequired(tenantId: string, tool: string): Promise<boolean> {
  const state = await gatewayCache.get(tenantId);
  return state.enforceGateway && isEnforced(state.tools.get(tool));
}
