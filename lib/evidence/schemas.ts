import { z } from "zod";

const MAX_IDS = 200;

/** What is stored in exports.scope (and signed into the manifest). */
export const exportScope = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  agentIds: z.array(z.string().min(1).max(64)).max(MAX_IDS),
  runIds: z.array(z.string().min(1).max(128)).max(MAX_IDS),
});

/** POST /api/console/t/[tenant]/evidence/exports */
export const createExportBody = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    agentIds: z.array(z.string().min(1).max(64)).max(MAX_IDS).default([]),
    runIds: z.array(z.string().trim().min(1).max(128)).max(MAX_IDS).default([]),
    format: z.enum(["jsonl", "csv"]).default("jsonl"),
  })
  .refine((b) => new Date(b.from) < new Date(b.to), { message: "The period must end after it starts.", path: ["to"] })
  .refine((b) => new Date(b.from).getTime() <= Date.now(), { message: "The period cannot start in the future.", path: ["from"] });
export type CreateExportBody = z.infer<typeof createExportBody>;

/** The public evidence key(s): GET /api/v1/evidence/public-key */
export const evidencePublicKeyBody = z
  .object({
    kid: z.string().meta({ description: "Id of the active key (manifests and digests name it in keyId)" }),
    alg: z.literal("Ed25519"),
    jwk: z.record(z.string(), z.unknown()).meta({ description: "The active public key as an OKP JWK" }),
    pem: z.string().meta({ description: "The active public key as SPKI PEM" }),
    keys: z.array(z.record(z.string(), z.unknown())).meta({ description: "Every evidence key, retired ones included (old bundles keep verifying)" }),
  })
  .meta({ id: "EvidencePublicKey" });

/** One export as the Evidence page lists it (lib/evidence/list-exports.ts). */
export type ExportView = {
  id: string;
  status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
  format: string;
  scope: { from: string; to: string; agentIds: string[]; runIds: string[] };
  agents: { id: string; name: string }[];
  requestedBy: { id: string; email: string; name: string };
  progress: number;
  rowCount: number;
  counts: Record<string, number> | null;
  sha256: string | null;
  bytes: number | null;
  keyId: string | null;
  error: string | null;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};
