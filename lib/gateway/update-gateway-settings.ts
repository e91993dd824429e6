import { z } from "zod";
import type { MemberContext } from "@/lib/auth/member";
import { appendAuditEntry, memberActor } from "@/lib/audit/append-audit-entry";
import type { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { gatewayChanged, gatewaySettingOf } from "./gateway-state";

export const gatewaySettingsInput = z.object({ enforceGatewayForEnforcedTools: z.boolean() });
export type GatewaySettings = z.infer<typeof gatewaySettingsInput>;

export async function getGatewaySettings({ tenantId }: { tenantId: string }): Promise<GatewaySettings> {
  const tenant = await withTenant({ tenantId }, (tx) => tx.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { settings: true } }));
  return { enforceGatewayForEnforcedTools: gatewaySettingOf(tenant.settings) };
}

/** Turns on or off: decisions-only use of an enforced tool is denied with reason "gateway_required". */
export async function updateGatewaySettings(input: { actor: MemberContext; settings: GatewaySettings; requestId?: string }): Promise<GatewaySettings> {
  const tenantId = input.actor.tenant.id;
  const changed = await withTenant({ tenantId }, async (tx) => {
    const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { settings: true } });
    const before = gatewaySettingOf(tenant.settings);
    const after = input.settings.enforceGatewayForEnforcedTools;
    if (before === after) return false;
    const settings = { ...((tenant.settings ?? {}) as Record<string, unknown>), enforceGatewayForEnforcedTools: after };
    await tx.tenant.update({ where: { id: tenantId }, data: { settings: settings as Prisma.InputJsonObject } });
    await appendAuditEntry(tx, {
      tenantId,
      actor: memberActor(input.actor),
      action: "tenant.settings_changed",
      target: { type: "tenant", id: tenantId },
      before: { enforceGatewayForEnforcedTools: before },
      after: { enforceGatewayForEnforcedTools: after },
      requestId: input.requestId,
    });
    return true;
  });
  if (changed) await gatewayChanged(tenantId);
  return input.settings;
}
