import { z } from "zod";
import { assertMasterKeyConfigured } from "@/lib/secrets/envelope";

/** Every setting Gatehouse reads, validated once. README "Configuration" lists them. */
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (the application role's connection)"),
  MIGRATE_DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z.string().default("gh"),
  NEXTAUTH_SECRET: z.string().optional(),
  NEXTAUTH_URL: z.string().optional(),
  // The public URL agents and browsers use (audience of RFC 7523 client assertions, the
  // console origin for CSRF checks); NEXTAUTH_URL when unset. Never taken from Host.
  PUBLIC_URL: z.string().url().optional(),
  // How many reverse proxies in front of Gatehouse append to X-Forwarded-For; 0 trusts none.
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default("Single sign-on"),
  SIGNUP_ENABLED: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  // Ingest (POST /api/v1/events): above this many waiting batches, answer 429 + Retry-After.
  // 200 batches of the usual 100–250 events are 1–3 s of the worker's work: acknowledged
  // events stay visible within a few seconds (API.md), and a saturated API cannot take the
  // CPU the worker needs.
  INGEST_MAX_BACKLOG: z.coerce.number().int().positive().default(200),
  // How long Redis remembers an accepted event id at least (at most twice this), so retries
  // are counted as duplicates at once (Postgres stores every event once regardless; docs/RUNS.md).
  INGEST_DEDUPE_TTL_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
  // How long a decision record may sit with a worker that took it before another worker
  // takes it over (lib/decisions/record-stream.ts): longer than any write, short enough that
  // a crashed worker's records are stored soon after.
  DECISION_RECORDS_CLAIM_MS: z.coerce.number().int().min(100).default(15_000),
  // Where evidence bundles (issue 7) are written and served from; relative to the working directory.
  EVIDENCE_DIR: z.string().default(".data/exports"),
  // Envelope encryption of stored secrets (lib/secrets/envelope.ts, docs/SECURITY.md).
  GATEHOUSE_MASTER_KEY: z.string().optional(),
  GATEHOUSE_MASTER_KEY_FILE: z.string().optional(),
  GATEHOUSE_MASTER_KEYS_OLD: z.string().optional(),
  // Internal targets server-side requests may reach anyway (host, host:port or CIDR; lib/outbound/fetch.ts).
  OUTBOUND_ALLOW_HOSTS: z.string().optional(),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
      throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
    }
    cached = parsed.data;
    if (cached.NODE_ENV === "production") assertMasterKeyConfigured();
  }
  return cached;
}

export function oidcConfigured(): boolean {
  const e = env();
  return Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
}
