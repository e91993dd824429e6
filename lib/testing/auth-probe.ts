/**
 * A second process for revocation tests (lib/agents/revocation.int.test.ts): it checks
 * agent tokens with `authenticateAgent` every ~20 ms, like a web or worker process on the
 * hot path, and prints one JSON line per state change of each token it watches.
 *
 * Run: node --import tsx lib/testing/auth-probe.ts (env: DATABASE_URL, REDIS_URL, REDIS_PREFIX).
 * stdin, one JSON command per line:
 *   {"cmd":"watch","label":"x","token":"<jwt>"}   start checking a token
 *   {"cmd":"stats"}                               print counters (checks, queries)
 * stdout, one JSON object per line:
 *   {"type":"ready"}
 *   {"type":"state","label":"x","state":"ok"|"<error code>","live":bool,"at":<epoch ms>}
 *   {"type":"stats","checks":n,"queries":n,"authQueries":n,"live":bool}
 * Exits when stdin closes or on SIGTERM.
 */
import { createInterface } from "node:readline";
import pg from "pg";
import { authState } from "@/lib/agents/auth-state";
import { authenticateAgent } from "@/lib/agents/authenticate-agent";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

// Count every SQL statement this process sends, and those that read auth state (agents,
// credentials, kill switches), so the test can prove the warm hot path makes none.
const counters = { checks: 0, queries: 0, authQueries: 0 };
const originalQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function patchedQuery(this: pg.Client, ...args: unknown[]) {
  const config = args[0] as string | { text?: string } | undefined;
  const text = typeof config === "string" ? config : (config?.text ?? "");
  counters.queries++;
  if (/"(agents|agent_credentials|kill_switches)"/.test(text)) counters.authQueries++;
  return originalQuery.apply(this, args);
} as typeof pg.Client.prototype.query;

const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const watched = new Map<string, { token: string; last?: string }>();

async function check(label: string, entry: { token: string; last?: string }) {
  let state: string;
  try {
    await authenticateAgent(`Bearer ${entry.token}`);
    state = "ok";
  } catch (error) {
    state = error instanceof AppError ? error.code : `error: ${(error as Error).message}`;
  }
  counters.checks++;
  const live = authState.isLive;
  const key = `${state}/${live}`;
  if (key !== entry.last) {
    entry.last = key;
    print({ type: "state", label, state, live, at: Date.now() });
  }
}

let stopping = false;
async function loop() {
  while (!stopping) {
    for (const [label, entry] of watched) await check(label, entry);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stop() {
  if (stopping) return;
  stopping = true;
  await authState.close();
  await db().$disconnect();
  process.exit(0);
}

createInterface({ input: process.stdin })
  .on("line", (line) => {
    const command = JSON.parse(line) as { cmd: string; label?: string; token?: string };
    if (command.cmd === "watch") watched.set(command.label!, { token: command.token! });
    if (command.cmd === "stats") print({ type: "stats", ...counters, live: authState.isLive });
  })
  .on("close", () => void stop());
process.on("SIGTERM", () => void stop());

print({ type: "ready" });
void loop();
