/**
 * `npm run demo:agents`: the seeded demo agents at work, through the real API (token,
 * gateway calls, approvals, events), so a fresh install fills with living data. Every tool
 * call goes through POST /api/v1/gateway/{tool}/{operation}: Gatehouse decides, injects the
 * vaulted demo credential and calls the Gatehouse demo upstream (`npm run up` runs it on
 * DEMO_UPSTREAM_PORT, default 3002), and records the call and its result itself:
 *   refund-bot  looks up a charge and refunds it; above 100 USD the call waits in the
 *               gateway for an approver and the refund happens once approved (escalates
 *               when nobody answers in time).
 *   pr-bot      reads a repository, opens a dependency pull request, sometimes asks to
 *               merge it to main (two approvers), sometimes probes a repo outside acme/*.
 *   triage-bot  reads a Jira ticket, comments, posts a summary to Slack (#support-* is
 *               allowed; #general is denied and the run fails).
 * Options: --runs=N (per agent; default: until Ctrl-C), --approval-wait=SECONDS (default 20),
 * --base=URL (default NEXTAUTH_URL or http://localhost:3000), --file=PATH (credentials,
 * default DEMO_AGENTS_FILE or .data/demo-agents.json), --pause=MS between runs (default 1500).
 */
import { readFile } from "node:fs/promises";
import { WORKFLOWS, demoOptions, rand, sleep } from "@/lib/demo/demo-workflows";
import { GatehouseClient, GatehouseError } from "@/lib/demo/gatehouse-client";
import { loadDotEnv } from "./dotenv";

loadDotEnv();
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const BASE = arg("base") ?? process.env.NEXTAUTH_URL ?? "http://localhost:3000";
const FILE = arg("file") ?? process.env.DEMO_AGENTS_FILE ?? ".data/demo-agents.json";
const RUNS = arg("runs") ? Number(arg("runs")) : Infinity;
demoOptions.approvalWaitMs = Number(arg("approval-wait") ?? 20) * 1000;
const PAUSE_MS = Number(arg("pause") ?? 1500);

async function main() {
  const agents = JSON.parse(await readFile(FILE, "utf8")) as { tenant: string; name: string; client_id: string; client_secret: string }[];
  const active = agents.filter((a) => WORKFLOWS[a.name]);
  if (active.length === 0) throw new Error(`no demo agents (refund-bot, pr-bot, triage-bot) in ${FILE}; run npm run up first`);
  console.log(`demo agents against ${BASE}: ${active.map((a) => `${a.tenant}/${a.name}`).join(", ")}${Number.isFinite(RUNS) ? `, ${RUNS} runs each` : " (Ctrl-C to stop)"}`);
  let stopping = false;
  process.on("SIGINT", () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log("finishing the runs in progress…");
  });
  await Promise.all(
    active.map(async (a) => {
      const gh = new GatehouseClient({ baseUrl: BASE, clientId: a.client_id, clientSecret: a.client_secret, batchSize: 50 });
      for (let i = 0; i < RUNS && !stopping; i++) {
        try {
          const outcome = await WORKFLOWS[a.name]!(gh);
          await gh.flush();
          console.log(`${a.name.padEnd(10)} ${outcome}`);
        } catch (error) {
          const message = error instanceof GatehouseError ? `${error.status} ${error.code}: ${error.message}` : (error as Error).message;
          console.error(`${a.name.padEnd(10)} error: ${message}`);
          await gh.flush().catch(() => {});
          if (error instanceof GatehouseError && (error.status === 401 || error.status === 403)) return; // suspended, killed, revoked: stop this agent
        }
        await sleep(PAUSE_MS + rand(0, PAUSE_MS));
      }
    }),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
