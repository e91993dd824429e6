// Prisma CLI config. Offline, the CLI must use its wasm schema engine (`engine: "js"`)
// through the pg driver adapter, or it tries to download a binary. We only use the CLI for
// `generate` and `migrate diff`; migrations are applied by scripts/migrate.ts (see there).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    const url = process.env.MIGRATE_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgresql://localhost/unused";
    return new PrismaPg({ connectionString: url });
  },
});
