import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { withTenant } from "@/lib/db/tenant";
import { signingKeyContext } from "@/lib/agents/signing-keys";
import { secretContext as connectionSecretContext } from "@/lib/connections/schemas";
import { evidenceKeyContext } from "@/lib/evidence/keys";
import { webhookSecretContext } from "@/lib/notifications/webhook-secret";
import { unsafeListTenantIds } from "@/lib/tenancy/unsafe-list-tenant-ids";
import { currentKeyId, sealedKeyId, sealSecret, openSecret } from "./envelope";

export type RotationCounts = { resealed: number; sealedFromPlaintext: number; alreadyCurrent: number; failed: string[] };
export type RotationReport = Record<"signing_keys" | "evidence_keys" | "notification_webhooks" | "connections", RotationCounts>;

const counts = (): RotationCounts => ({ resealed: 0, sealedFromPlaintext: 0, alreadyCurrent: 0, failed: [] });

/**
 * What to store for one secret: null when it is already sealed under the current key,
 * else its sealing under the current key (opened with an old key from
 * GATEHOUSE_MASTER_KEYS_OLD, or sealed for the first time from plaintext).
 */
function reseal(into: RotationCounts, what: string, context: string, sealed: string | null, plaintext: string | null): string | null {
  try {
    if (sealed) {
      if (sealedKeyId(sealed) === currentKeyId()) {
        into.alreadyCurrent++;
        return null;
      }
      const next = sealSecret(openSecret(sealed, context), context);
      into.resealed++;
      return next;
    }
    if (plaintext === null) throw new Error("neither sealed nor plaintext");
    into.sealedFromPlaintext++;
    return sealSecret(plaintext, context);
  } catch (e) {
    into.failed.push(`${what}: ${(e as Error).message}`);
    return null;
  }
}

/**
 * `npm run secrets:rotate`: every stored secret re-sealed under the current master key
 * (GATEHOUSE_MASTER_KEY), opening those sealed under an old one with GATEHOUSE_MASTER_KEYS_OLD,
 * and any plaintext left from before envelope encryption sealed and cleared. Each row is
 * updated only if it still holds what was read, so a concurrent rotation or rewrite wins.
 * Idempotent: a second run finds everything current. Every sealed column belongs here:
 * one left out keeps needing its old master key.
 */
export async function rotateStoredSecrets(): Promise<RotationReport> {
  const report: RotationReport = { signing_keys: counts(), evidence_keys: counts(), notification_webhooks: counts(), connections: counts() };

  for (const row of await db().signingKey.findMany({ select: { kid: true, privateJwk: true, privateJwkSealed: true } })) {
    const plaintext = row.privateJwk === null ? null : JSON.stringify(row.privateJwk);
    const next = reseal(report.signing_keys, `signing key ${row.kid}`, signingKeyContext(row.kid), row.privateJwkSealed, plaintext);
    if (next)
      await db().signingKey.updateMany({
        where: { kid: row.kid, privateJwkSealed: row.privateJwkSealed },
        data: { privateJwkSealed: next, privateJwk: Prisma.DbNull },
      });
  }

  for (const row of await db().evidenceKey.findMany({ select: { kid: true, privateKey: true, privateKeySealed: true } })) {
    const next = reseal(report.evidence_keys, `evidence key ${row.kid}`, evidenceKeyContext(row.kid), row.privateKeySealed, row.privateKey);
    if (next) await db().evidenceKey.updateMany({ where: { kid: row.kid, privateKeySealed: row.privateKeySealed }, data: { privateKeySealed: next, privateKey: null } });
  }

  for (const tenantId of await unsafeListTenantIds()) {
    await withTenant({ tenantId }, async (tx) => {
      const row = await tx.notificationWebhook.findFirst({ where: { tenantId }, select: { secret: true, secretSealed: true } });
      if (!row) return;
      const next = reseal(report.notification_webhooks, `webhook secret of ${tenantId}`, webhookSecretContext(tenantId), row.secretSealed, row.secret);
      if (next) await tx.notificationWebhook.updateMany({ where: { tenantId, secretSealed: row.secretSealed }, data: { secretSealed: next, secret: null } });
    });
    // The gateway's vault (lib/connections): the current secret and, during a rotation overlap, the previous one.
    await withTenant({ tenantId }, async (tx) => {
      for (const c of await tx.connection.findMany({ where: { tenantId }, select: { id: true, sealedSecret: true, previousSealed: true } })) {
        const context = connectionSecretContext(tenantId, c.id);
        const current = reseal(report.connections, `connection ${c.id}`, context, c.sealedSecret, null);
        const previous = c.previousSealed ? reseal(report.connections, `previous secret of connection ${c.id}`, context, c.previousSealed, null) : null;
        if (current || previous)
          await tx.connection.updateMany({
            where: { id: c.id, sealedSecret: c.sealedSecret, previousSealed: c.previousSealed },
            data: { ...(current && { sealedSecret: current }), ...(previous && { previousSealed: previous }) },
          });
      }
    });
  }
  return report;
}
