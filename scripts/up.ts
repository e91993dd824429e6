import { spawn, spawnSync } from "node:child_process";
import { randomBytes, createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { databaseUrls, ensureServices } from "./services";
import { masterKeyForDotEnv } from "./up-master-key";
import { ensureDatabase, migrate } from "@/lib/db/migrate";

const PORT = Number(process.env.PORT ?? 3000);
// The separate agent API server is an option: the front door serves the machine API on PORT already.
const AGENT_API_PORT = process.env.AGENT_API_PORT;
const DEMO_UPSTREAM_PORT = Number(process.env.DEMO_UPSTREAM_PORT ?? PORT + 2);

function readDotEnv(): Record<string, string> {
  if (!existsSync(".env")) return {};
  return Object.fromEntries(
    readFileSync(".env", "utf8")
      .split("\n")
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** Keeps what .env already says (and the environment's own values); fills in the rest. */
function writeDotEnv(values: Record<string, string>) {
  const current = readDotEnv();
  const merged = { ...values, ...current };
  const body = Object.entries(merged).map(([k, v]) => `${k}=${v}`).join("\n");
  writeFileSync(".env", `# Written by \`npm run up\`; edit freely, it keeps your values.\n${body}\n`, { mode: 0o600 });
  return merged;
}

/** Source fingerprint: the build is skipped when nothing it depends on changed. */
function sourceStamp(): string {
  const head = spawnSync("git", ["rev-parse", "HEAD"]).stdout?.toString() ?? "";
  const dirty = spawnSync("git", ["status", "--porcelain", "--", "app", "components", "lib", "package-lock.json", "next.config.mjs"]).stdout?.toString() ?? "";
  return createHash("sha256").update(head + dirty).digest("hex");
}

async function main() {
  console.log("› checking Postgres and Redis");
  const services = await ensureServices();
  services.notes.forEach((n) => console.log(`  ${n}`));

  const existing = readDotEnv();
  const masterKey = masterKeyForDotEnv(existing, process.env);
  // Given URLs are used as they are; otherwise a "gatehouse" database on the local server.
  const given = process.env.MIGRATE_DATABASE_URL ?? process.env.DATABASE_URL;
  const urls = given
    ? { adminUrl: given, appUrl: process.env.MIGRATE_DATABASE_URL && process.env.DATABASE_URL ? process.env.DATABASE_URL : databaseUrls(given).appUrl }
    : databaseUrls(services.serverUrl, "gatehouse");
  const envValues = writeDotEnv({
    DATABASE_URL: urls.appUrl,
    MIGRATE_DATABASE_URL: urls.adminUrl,
    REDIS_URL: services.redisUrl,
    NEXTAUTH_URL: `http://localhost:${PORT}`,
    NEXTAUTH_SECRET: existing.NEXTAUTH_SECRET ?? randomBytes(32).toString("base64url"),
    // The demo tools' upstream (servers/demo-upstream.ts) is on loopback, which outbound requests refuse otherwise.
    DEMO_UPSTREAM_PORT: String(DEMO_UPSTREAM_PORT),
    OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${DEMO_UPSTREAM_PORT}`,
    ...masterKey.values,
  });
  masterKey.notes.forEach((note, i) => console.log(`${i ? "  " : "› "}${note}`));
  Object.assign(process.env, { ...envValues, ...process.env });

  console.log("› migrating");
  if (await ensureDatabase(envValues.MIGRATE_DATABASE_URL!)) console.log("  created database");
  const migrated = await migrate({ adminUrl: envValues.MIGRATE_DATABASE_URL!, appUrl: envValues.DATABASE_URL, log: (l) => console.log(`  ${l}`) });
  console.log(`  ${migrated.applied.length} applied, ${migrated.alreadyApplied} already in place`);

  console.log("› seeding the demo tenants");
  const seed = spawnSync("npx", ["tsx", "prisma/seed.ts"], { stdio: "inherit" });
  if (seed.status !== 0) throw new Error("seed failed");

  const stamp = sourceStamp();
  const stampFile = ".next/gatehouse-build-stamp";
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
    console.log("› build is up to date");
  } else {
    console.log("› building the console (next build)");
    const build = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("build failed");
    mkdirSync(".next", { recursive: true });
    writeFileSync(stampFile, stamp);
  }

  // The console and the machine API on one port (servers/front-door.ts).
  const web = spawn("npx", ["tsx", "servers/front-door.ts"], { stdio: "inherit", env: { ...process.env, PORT: String(PORT), NODE_ENV: "production" } });
  const worker = spawn("npx", ["tsx", "workers/index.ts"], { stdio: "inherit" });
  const agentApi = AGENT_API_PORT ? spawn("npx", ["tsx", "servers/agent-api.ts"], { stdio: "inherit" }) : undefined;
  const demoUpstream = spawn("npx", ["tsx", "servers/demo-upstream.ts"], { stdio: "inherit" });
  const password = process.env.DEMO_PASSWORD ?? "gatehouse-demo";
  console.log(`
  Gatehouse is starting on http://localhost:${PORT} (the console, and the machine API for agents)${AGENT_API_PORT ? `\n  Agent API server (optional, AGENT_API_PORT) on http://localhost:${AGENT_API_PORT}` : ""}
  Gatehouse demo upstream (fake payments, code hosting, tickets, chat) on http://127.0.0.1:${DEMO_UPSTREAM_PORT}

  Demo logins (password: ${password})
    owner@acme.test      owner          approver@acme.test   approver
    admin@acme.test      admin          approver2@acme.test  approver
    auditor@acme.test    auditor        viewer@acme.test     viewer
    owner@globex.test    owner of Globex
  Demo agent credentials: .data/demo-agents.json
  Ctrl-C stops the server, the worker and the demo upstream.
`);
  const stop = () => {
    web.kill("SIGTERM");
    worker.kill("SIGTERM");
    agentApi?.kill("SIGTERM");
    demoUpstream.kill("SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const exit = (name: string) => (code: number | null) => {
    console.log(`${name} exited (${code})`);
    stop();
    process.exitCode = code ?? 0;
  };
  web.on("exit", exit("web"));
  worker.on("exit", exit("worker"));
  agentApi?.on("exit", exit("agent API server"));
  demoUpstream.on("exit", exit("demo upstream"));
}

main().catch((error) => {
  console.error(`\n✗ ${(error as Error).message}`);
  process.exit(1);
});
