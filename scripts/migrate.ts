// `npm run db:migrate`: creates the database if needed and applies pending migrations.
import { ensureDatabase, migrate } from "@/lib/db/migrate";
import { loadDotEnv } from "./dotenv";

loadDotEnv();
const adminUrl = process.env.MIGRATE_DATABASE_URL ?? process.env.DATABASE_URL;
if (!adminUrl) {
  console.error("Set MIGRATE_DATABASE_URL (a role that may create tables), or run `npm run up`.");
  process.exit(1);
}
if (await ensureDatabase(adminUrl)) console.log("created database");
const result = await migrate({ adminUrl, appUrl: process.env.DATABASE_URL, log: (l) => console.log(l) });
console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied} already in place`);
