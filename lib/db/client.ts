import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { env } from "@/lib/env";

export type { Prisma } from "./generated/client";
export * from "./generated/enums";

const globalForPrisma = globalThis as unknown as { gatehousePrisma?: PrismaClient };

/**
 * The application's Prisma client. It connects as the application role, so row-level
 * security applies: tenant-owned rows are only visible inside `withTenant`.
 */
export function db(): PrismaClient {
  if (!globalForPrisma.gatehousePrisma) {
    globalForPrisma.gatehousePrisma = new PrismaClient({
      adapter: new PrismaPg({ connectionString: env().DATABASE_URL, max: 10 }),
    });
  }
  return globalForPrisma.gatehousePrisma;
}

export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
