// scratch (not committed): seed a persistent bench database for profiling
import { writeFileSync } from "node:fs";
import pg from "pg";
import { db } from "@/lib/db/client";
import { sealTenantDigest, takeEventMark } from "@/lib/evidence/seal-digests";
import { closeEvidencePool } from "@/lib/evidence/pg";
import { benchDatabase } from "./support";
import { seedEvidence } from "./evidence";

await benchDatabase();
const owner = new pg.Client({ connectionString: process.env.MIGRATE_DATABASE_URL });
await owner.connect();
const s = await seedEvidence(owner);
await sealTenantDigest({ tenantId: s.tenant.id, mark: await takeEventMark() });
writeFileSync("/tmp/evb.json", JSON.stringify({ env: { DATABASE_URL: process.env.DATABASE_URL, MIGRATE_DATABASE_URL: process.env.MIGRATE_DATABASE_URL, REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: process.env.REDIS_PREFIX, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET }, tenantId: s.tenant.id, userId: s.ownerCtx.user.id, start: s.start }));
await owner.end(); await closeEvidencePool(); await db().$disconnect();
process.exit(0);
