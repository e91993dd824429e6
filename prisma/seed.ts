// `npm run db:seed`: the demo tenants (API.md §6). Idempotent.
import { authState } from "@/lib/agents/auth-state";
import { seedDemo } from "@/lib/demo/seed-demo";
import { db } from "@/lib/db/client";
import { loadDotEnv } from "@/scripts/dotenv";

loadDotEnv();
await seedDemo({ log: (line) => console.log(line) });
// Publishing the demo policy opened Redis connections; close everything so the script ends.
await authState.close();
await db().$disconnect();
