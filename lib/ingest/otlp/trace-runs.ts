import { logger } from "@/lib/logger";
import { redisKey } from "@/lib/redis";
import { ready } from "../dedupe";

/**
 * Which run a trace belongs to when one of its spans named `gatehouse.run_id`: remembered
 * for a day per tenant, so spans of that trace exported in later requests (a simple span
 * processor sends each span alone, children before their parent) join the same run.
 * Spans exported before any span named the run id stay under the trace id: set the
 * attribute on every span, or export whole traces (batch span processor).
 */
const key = (tenantId: string, traceId: string) => redisKey("otel-run", tenantId, traceId);
const TTL_SECONDS = 24 * 3600;

export async function recallTraceRuns(tenantId: string, traceIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (traceIds.length === 0) return out;
  try {
    const redis = await ready();
    const values = await redis.mget(traceIds.map((t) => key(tenantId, t)));
    traceIds.forEach((t, i) => values[i] && out.set(t, values[i]!));
  } catch (error) {
    logger.warn("otlp: could not read trace run ids", { error });
  }
  return out;
}

export async function rememberTraceRuns(tenantId: string, runs: Map<string, string>) {
  const named = [...runs].filter(([trace, run]) => trace !== run);
  if (named.length === 0) return;
  try {
    const redis = await ready();
    await redis.pipeline(named.map(([trace, run]) => ["set", key(tenantId, trace), run, "EX", String(TTL_SECONDS)])).exec();
  } catch (error) {
    logger.warn("otlp: could not remember trace run ids", { error });
  }
}
