/**
 * A second process for the notifications test: calls notifyTenant with Redis unreachable
 * (REDIS_URL pointing at a closed port) and prints whether it returned, and how fast.
 * Run: REDIS_URL=redis://127.0.0.1:1 node --import tsx lib/testing/notify-without-redis.ts <tenant>.
 */
import { db } from "@/lib/db/client";
import { notifyTenant } from "@/lib/notifications/notify-tenant";

const [tenantId] = process.argv.slice(2);
const started = Date.now();
try {
  await notifyTenant(tenantId!, { kind: "quota.threshold", text: "80% of writes_per_day" });
  process.stdout.write(`${JSON.stringify({ returned: true, ms: Date.now() - started })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ returned: false, error: String(error) })}\n`);
}
await db().$disconnect();
process.exit(0);
