/**
 * Issue 13, secrets at rest: the agent-token signing keys, the evidence key and webhook
 * secrets are stored sealed (the raw tables hold no plaintext), plaintext rows from before
 * are sealed on first read or by `npm run secrets:rotate`, and the command re-seals every
 * stored secret under a new master key. Runs in a database of its own: re-sealing under
 * another key would pull the keys from under the other test files.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import { generateKeyPairSync } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { withTenant } from "@/lib/db/tenant";
import { ensureDatabase, migrate } from "@/lib/db/migrate";
import { activeSigningKey, ensureSigningKey, keyForKid, signingKeyContext } from "@/lib/agents/signing-keys";
import { activeEvidenceKey, evidenceKeyContext, keyIdOf, publicJwkOf, resetEvidenceKeyCache, signText, verifyText } from "@/lib/evidence/keys";
import { getNotificationSettings, saveWebhook } from "@/lib/notifications/manage-webhook";
import { webhookSecretContext } from "@/lib/notifications/webhook-secret";
import { createTestTenant } from "@/lib/testing/factories";
import { generateMasterKey, keyIdOf as masterKeyId, openSecret, parseMasterKey, sealedKeyId } from "./envelope";
import { rotateStoredSecrets } from "./rotate-secrets";

const keyA = generateMasterKey();
const keyB = generateMasterKey();
const idA = masterKeyId(parseMasterKey(keyA));
const idB = masterKeyId(parseMasterKey(keyB));
const saved = { ...process.env };
let adminUrl = "";

beforeAll(async () => {
  const name = `${new URL(process.env.MIGRATE_DATABASE_URL!).pathname.slice(1)}_rot${randomBytes(2).toString("hex")}`;
  const admin = new URL(process.env.MIGRATE_DATABASE_URL!);
  admin.pathname = `/${name}`;
  const app = new URL(process.env.DATABASE_URL!);
  app.pathname = `/${name}`;
  adminUrl = admin.toString();
  await ensureDatabase(adminUrl);
  await migrate({ adminUrl, appUrl: app.toString() });
  Object.assign(process.env, { DATABASE_URL: app.toString(), MIGRATE_DATABASE_URL: adminUrl, GATEHOUSE_MASTER_KEY: keyA });
  delete process.env.GATEHOUSE_MASTER_KEYS_OLD;
}, 60_000);

afterAll(async () => {
  await db().$disconnect();
  process.env = { ...saved };
  const server = new URL(adminUrl);
  const database = server.pathname.slice(1);
  server.pathname = "/postgres";
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  await client.end();
});

/** Every stored row of the three tables, as the database holds them (what a database reader sees). */
async function rawRows(tenantIds: string[]) {
  const signing = await db().$queryRaw<Record<string, unknown>[]>`SELECT * FROM signing_keys`;
  const evidence = await db().$queryRaw<Record<string, unknown>[]>`SELECT * FROM evidence_keys`;
  const webhooks = (await Promise.all(tenantIds.map((tenantId) => withTenant({ tenantId }, (tx) => tx.$queryRaw<Record<string, unknown>[]>`SELECT * FROM notification_webhooks`)))).flat();
  return { signing, evidence, webhooks };
}

const sealedIds = (rows: Awaited<ReturnType<typeof rawRows>>) =>
  [...rows.signing.map((r) => r.privateJwkSealed), ...rows.evidence.map((r) => r.privateKeySealed), ...rows.webhooks.map((r) => r.secretSealed)].map((s) => sealedKeyId(s as string));

describe("secrets at rest", () => {
  const tenantIds: string[] = [];
  let webhookSecretText = "";
  const legacyWebhookSecret = `whsec_legacy_${randomBytes(8).toString("hex")}`;
  let legacySigningD = "";
  let legacyEvidencePem = "";
  let legacyEvidenceKid = "";

  it("stores new keys and secrets sealed: no plaintext in the raw tables", async () => {
    const kid = await ensureSigningKey();
    expect((await activeSigningKey()).kid).toBe(kid);
    const stored = await db().signingKey.findUniqueOrThrow({ where: { kid } });
    const d = (JSON.parse(openSecret(stored.privateJwkSealed!, signingKeyContext(kid))) as { d: string }).d;
    expect(d.length).toBeGreaterThan(20);
    const evidence = await activeEvidenceKey();
    const evidencePem = evidence.privateKey.export({ format: "pem", type: "pkcs8" }) as string;
    const { tenant, owner } = await createTestTenant();
    const { secret } = await saveWebhook({ actor: owner, webhook: { url: "https://hooks.example.com/gatehouse", enabled: true } });
    webhookSecretText = secret!;
    tenantIds.push(tenant.id);

    const rows = await rawRows(tenantIds);
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain(d);
    expect(raw).not.toContain("PRIVATE KEY");
    expect(raw).not.toContain(evidencePem.split("\n")[1]);
    expect(raw).not.toContain(secret!.slice(6));
    expect(rows.signing).toEqual([expect.objectContaining({ kid, privateJwk: null, privateJwkSealed: expect.stringMatching(/^gh1\./) })]);
    expect(rows.evidence).toEqual([expect.objectContaining({ kid: evidence.kid, privateKey: null, privateKeySealed: expect.stringMatching(/^gh1\./) })]);
    expect(rows.webhooks).toEqual([expect.objectContaining({ secret: null, secretSealed: expect.stringMatching(/^gh1\./) })]);
    expect(sealedIds(rows)).toEqual([idA, idA, idA]);
    // A ciphertext moved to another key's row does not open.
    expect(() => openSecret(rows.signing[0]!.privateJwkSealed as string, signingKeyContext("key_other"))).toThrow();
  });

  it("seals a plaintext signing key from before on first read", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const kid = `key_legacy${randomBytes(4).toString("hex")}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "ES256" };
    legacySigningD = privateJwk.d!;
    // Retired a moment ago: still verifying, and not the active key.
    await db().signingKey.create({ data: { kid, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" }, privateJwk, retiredAt: new Date() } });
    expect(JSON.stringify(await db().$queryRaw`SELECT * FROM signing_keys`)).toContain(legacySigningD);
    expect(await keyForKid(kid)).toBeDefined(); // an unknown kid reloads the keys, which seals this one
    const raw = JSON.stringify(await db().$queryRaw`SELECT * FROM signing_keys`);
    expect(raw).not.toContain(legacySigningD);
    const row = await db().signingKey.findUniqueOrThrow({ where: { kid } });
    expect(JSON.parse(openSecret(row.privateJwkSealed!, signingKeyContext(kid))).d).toBe(legacySigningD);
  });

  it("npm run secrets:rotate re-seals everything under the new key (the old one given in GATEHOUSE_MASTER_KEYS_OLD) and seals leftover plaintext", async () => {
    // Leftover plaintext the application has not read yet: a retired evidence key and a webhook secret.
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    legacyEvidenceKid = keyIdOf(publicKey);
    legacyEvidencePem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
    await db().evidenceKey.create({ data: { kid: legacyEvidenceKid, publicJwk: publicJwkOf(publicKey) as never, privateKey: legacyEvidencePem, retiredAt: new Date() } });
    const { tenant, owner } = await createTestTenant();
    await withTenant({ tenantId: tenant.id }, (tx) =>
      tx.notificationWebhook.create({ data: { tenantId: tenant.id, url: "https://hooks.example.com/legacy", secret: legacyWebhookSecret, createdById: owner.user.id } }),
    );
    tenantIds.push(tenant.id);
    expect(JSON.stringify(await rawRows(tenantIds))).toContain(legacyWebhookSecret);

    const run = () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/rotate-secrets.ts"], {
        env: { ...process.env, GATEHOUSE_MASTER_KEY: keyB, GATEHOUSE_MASTER_KEYS_OLD: keyA },
        timeout: 60_000,
      });
    const { stdout } = await run();
    expect(stdout).toContain(`under master key ${idB}`);
    expect(stdout).toMatch(/signing_keys: 2 re-sealed, 0 sealed from plaintext, 0 already current, 0 failed/);
    expect(stdout).toMatch(/evidence_keys: 1 re-sealed, 1 sealed from plaintext, 0 already current, 0 failed/);
    expect(stdout).toMatch(/notification_webhooks: 1 re-sealed, 1 sealed from plaintext, 0 already current, 0 failed/);

    const rows = await rawRows(tenantIds);
    const raw = JSON.stringify(rows);
    for (const plaintext of [legacyWebhookSecret, webhookSecretText.slice(6), legacySigningD, "PRIVATE KEY", legacyEvidencePem.split("\n")[1]!]) expect(raw).not.toContain(plaintext);
    expect(new Set(sealedIds(rows))).toEqual(new Set([idB]));
    expect(sealedIds(rows)).toHaveLength(6);

    // The new key alone opens everything; the old one is no longer needed.
    process.env.GATEHOUSE_MASTER_KEY = keyB;
    delete process.env.GATEHOUSE_MASTER_KEYS_OLD;
    const settings = await Promise.all(tenantIds.map((tenantId) => getNotificationSettings({ tenantId })));
    expect(settings.map((s) => s.webhook!.secretHint)).toEqual([webhookSecretText, legacyWebhookSecret].map((s) => `${s.slice(0, 6)}…${s.slice(-4)}`));
    const [webhook] = rows.webhooks;
    expect(openSecret(webhook!.secretSealed as string, webhookSecretContext(tenantIds[0]!))).toBe(webhookSecretText);
    const evidenceRow = rows.evidence.find((r) => r.kid === legacyEvidenceKid)!;
    expect(openSecret(evidenceRow.privateKeySealed as string, evidenceKeyContext(legacyEvidenceKid))).toBe(legacyEvidencePem);
    resetEvidenceKeyCache();
    const active = await activeEvidenceKey();
    expect(verifyText(active.publicJwk, "digest", signText(active.privateKey, "digest"))).toBe(true);

    // A second run finds everything current.
    expect((await run()).stdout).toMatch(/signing_keys: 0 re-sealed, 0 sealed from plaintext, 2 already current, 0 failed/);
  }, 90_000);

  it("reports, and changes nothing, when a secret's key is not configured", async () => {
    process.env.GATEHOUSE_MASTER_KEY = generateMasterKey(); // neither A nor B, and B not given as old
    const before = JSON.stringify(await rawRows(tenantIds));
    const report = await rotateStoredSecrets();
    expect(report.signing_keys.failed).toHaveLength(2);
    expect(report.signing_keys.failed[0]).toMatch(/not configured/);
    expect(report.notification_webhooks.failed).toHaveLength(2);
    expect(JSON.stringify(await rawRows(tenantIds))).toBe(before);
    process.env.GATEHOUSE_MASTER_KEY = keyB;
  });
});
