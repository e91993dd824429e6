import { z } from "zod";
import { redactionSettings } from "@/lib/ingest/redaction-settings";

/**
 * A tenant's run-data policy, kept in `tenants.settings`: retention (payloads kept N days,
 * metadata M days; enforced by the ingest worker, lib/runs/apply-retention.ts) and the
 * JSON paths redacted before storage (lib/ingest/redact.ts).
 */
export const DEFAULT_RETENTION = { payloadDays: 90, metadataDays: 365 } as const;

export const retentionSettings = z
  .object({
    payloadDays: z.number().int().min(1, "Keep payloads at least 1 day.").max(3650),
    metadataDays: z.number().int().min(1).max(3650),
  })
  .refine((r) => r.metadataDays >= r.payloadDays, { message: "Metadata must be kept at least as long as payloads.", path: ["metadataDays"] });

export const dataPolicyInput = z.object({ retention: retentionSettings, redaction: redactionSettings });
export type DataPolicy = z.infer<typeof dataPolicyInput>;

export function parseDataPolicy(settings: unknown): DataPolicy {
  const s = (settings ?? {}) as { retention?: unknown; redaction?: unknown };
  const retention = retentionSettings.safeParse(s.retention);
  const redaction = redactionSettings.safeParse(s.redaction ?? {});
  return { retention: retention.success ? retention.data : { ...DEFAULT_RETENTION }, redaction: redaction.success ? redaction.data : { paths: [] } };
}
