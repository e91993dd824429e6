// `npm run db:seed`: the demo tenants (API.md §6). Idempotent.
import { seedDemo } from "@/lib/demo/seed-demo";
import { db } from "@/lib/db/client";
import { loadDotEnv } from "@/scripts/dotenv";

loadDotEnv();
await seedDemo({ log: (line) => console.log(line) });
await db().$disconnect();
