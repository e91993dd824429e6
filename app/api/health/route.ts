import { checkHealth } from "@/lib/health/check-health";
import { publicRoute, reply } from "@/lib/http/route";

export const GET = publicRoute({}, async () => {
  const health = await checkHealth();
  return health.status === "ok" ? health : reply(health, { status: 503, headers: { "retry-after": "5" } });
});
