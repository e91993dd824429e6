import { z } from "zod";

export const agentName = z
  .string()
  .trim()
  .min(2, "Use at least 2 characters.")
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "Use lower-case letters, digits, dots, dashes and underscores.");

const labels = z.array(z.string().trim().min(1).max(40).regex(/^[\w.:-]+$/, "Labels are single words.")).max(20);

const agentFields = {
  description: z.string().trim().max(500),
  ownerId: z.string().min(1, "Choose an owner."),
  labels,
  environment: z.string().trim().min(1).max(40),
  tokenTtlMinutes: z.number().int().min(1).max(60, "Tokens live at most 60 minutes."),
};

export const createAgentInput = z.object({
  name: agentName,
  description: agentFields.description.default(""),
  ownerId: agentFields.ownerId,
  labels: agentFields.labels.default([]),
  environment: agentFields.environment.default("production"),
  tokenTtlMinutes: agentFields.tokenTtlMinutes.default(15),
});

/** A PATCH: only the fields sent change (no defaults here, or a partial edit would reset the rest). */
export const updateAgentInput = z.object(agentFields).partial();

export const changeStatusInput = z.object({
  status: z.enum(["active", "suspended", "decommissioned"]),
  reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
});

const expiresAt = z.iso.datetime({ offset: true }).optional().nullable();

export const addCredentialInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("client_secret"), label: z.string().trim().min(1).max(80), expiresAt }),
  z.object({
    kind: z.literal("public_key"),
    label: z.string().trim().min(1).max(80),
    expiresAt,
    publicKey: z.string().trim().min(20, "Paste a JWK or a PEM public key.").max(10_000),
  }),
  z.object({
    kind: z.literal("federated"),
    label: z.string().trim().min(1).max(80),
    expiresAt,
    issuer: z.url().max(500),
    jwksUrl: z.url().max(500),
    subject: z.string().trim().min(1).max(500),
    audience: z.string().trim().min(1).max(500),
  }),
]);

export const rotateSecretInput = z.object({
  /** Until when the old secret keeps working; omitted = revoke it now. */
  overlapUntil: z.iso.datetime({ offset: true }).optional().nullable(),
  label: z.string().trim().min(1).max(80).optional(),
});

export const revokeCredentialInput = z.object({ reason: z.string().trim().min(3).max(500) });

export type CreateAgentInput = z.infer<typeof createAgentInput>;
export type AddCredentialInput = z.infer<typeof addCredentialInput>;
