/**
 * Vitest global setup: a fresh database (created here, dropped at the end) and a private
 * Redis key prefix for this run, on the servers `ensureServices` finds or starts.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { Redis } from "ioredis";
import { ensureDatabase, migrate } from "@/lib/db/migrate";
import { deleteKeysWithPrefix } from "@/lib/redis";
import { databaseUrls, ensureServices } from "@/scripts/services";

export default async function setup() {
  const services = await ensureServices();
  const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const database = `gh_test_${suffix}`;
  const { adminUrl, appUrl } = databaseUrls(services.serverUrl, database);
  await ensureDatabase(adminUrl);
  await migrate({ adminUrl, appUrl });
  const prefix = `gh-test-${suffix}`;
  Object.assign(process.env, {
    DATABASE_URL: appUrl,
    MIGRATE_DATABASE_URL: adminUrl,
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: prefix,
    NEXTAUTH_SECRET: randomBytes(16).toString("hex"),
    // Stored secrets are sealed under a random key per run (lib/secrets/envelope.ts).
    GATEHOUSE_MASTER_KEY: randomBytes(32).toString("base64"),
    NODE_ENV: "test",
  });

  return async () => {
    const server = new pg.Client({ connectionString: databaseUrls(services.serverUrl, "postgres").adminUrl });
    await server.connect();
    await server.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
    await server.end();
    const redis = new Redis(services.redisUrl);
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  };
}
