/**
 * The worker process: one BullMQ Worker per queue in the registry, graceful shutdown on
 * SIGTERM/SIGINT (finish the jobs in hand, then close connections).
 */
import { createServer, type Server } from "node:http";
import { Worker, type Processor } from "bullmq";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { createRedis, ensureRedisDurable } from "@/lib/redis";
import { QUEUES, closeQueues, getQueue, queueConnection, queuePrefix, type QueueDefinition, type QueueKey } from "@/lib/queue/registry";
import { db } from "@/lib/db/client";
import { authState } from "@/lib/agents/auth-state";
import { processDecisions, startDecisionRecorder } from "./decisions";
import { ingestBackoff, processIngest, scheduleIngestJobs } from "./ingest";
import { processMaintenance } from "./maintenance";
import { processNotifications } from "./notifications";
import { processEvidence, scheduleEvidenceJobs } from "./evidence";

const processors: Record<QueueKey, Processor> = {
  decisions: processDecisions,
  maintenance: processMaintenance,
  ingest: processIngest,
  notifications: processNotifications,
  evidence: processEvidence,
};

export async function startWorkers() {
  env();
  const redis = createRedis({ lazyConnect: true });
  await redis.connect();
  await ensureRedisDurable(redis, { enable: false });
  redis.disconnect();

  const workers = (Object.keys(QUEUES) as QueueKey[]).map((key) => {
    const worker = new Worker(QUEUES[key].name, processors[key], {
      connection: queueConnection(),
      prefix: queuePrefix(),
      concurrency: 4,
      settings: { backoffStrategy: ingestBackoff },
      ...(QUEUES[key] as QueueDefinition).worker,
    });
    worker.on("failed", (job, error) => logger.error("job failed", { queue: key, job: job?.name, id: job?.id, error }));
    worker.on("error", (error) => logger.error("worker error", { queue: key, error }));
    return worker;
  });

  const decisionRecorder = startDecisionRecorder();

  await getQueue("maintenance").upsertJobScheduler(
    "audit-verify-hourly",
    { pattern: "0 * * * *", tz: "UTC" },
    { name: "audit.verify-all", data: { requestedAt: new Date().toISOString() } },
  );
  await getQueue("maintenance").upsertJobScheduler(
    "expire-credentials-every-minute",
    { every: 60_000 },
    { name: "agents.expire-credentials", data: { requestedAt: new Date().toISOString() } },
  );
  await getQueue("maintenance").upsertJobScheduler(
    "approvals-sweep-every-minute",
    { every: 60_000 },
    { name: "approvals.sweep", data: { requestedAt: new Date().toISOString() } },
  );
  await scheduleIngestJobs(getQueue("ingest"));
  await scheduleEvidenceJobs(getQueue("evidence"));
  const health = await startHealthServer();
  logger.info("workers started", { queues: Object.keys(QUEUES) });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("workers stopping", { signal });
    health?.close();
    await Promise.all([...workers.map((w) => w.close()), decisionRecorder.stop()]);
    await closeQueues();
    await authState.close();
    await db().$disconnect();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  return { workers, stop };
}

/**
 * Optional: with WORKER_HEALTH_PORT set, answer 200 on that port (127.0.0.1) once the
 * workers run, so a supervisor (Playwright's webServer in e2e) can wait for readiness.
 */
async function startHealthServer(): Promise<Server | null> {
  const port = Number(process.env.WORKER_HEALTH_PORT);
  if (!process.env.WORKER_HEALTH_PORT || !Number.isInteger(port) || port <= 0) return null;
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { loadDotEnv } = await import("@/scripts/dotenv");
  loadDotEnv();
  startWorkers().catch((error) => {
    logger.error("worker failed to start", { error });
    process.exit(1);
  });
}
