/**
 * Makes sure Postgres and Redis answer, for `npm run up` and `npm test`.
 * Order: the URLs in the environment; else the local default ports; else local servers
 * started from the system's binaries (installed with apt-get when root and missing),
 * with their data under .data/. Never drops anything it did not create.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, chownSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { APP_ROLE } from "@/lib/db/migrate";
import { ensureRedisDurable } from "@/lib/redis";

const DATA = path.resolve(".data");
const LOCAL_PG_PORT = 54329;
const LOCAL_REDIS_PORT = 63790;

function portOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function isRoot() {
  return process.getuid?.() === 0;
}

function aptInstall(pkgs: string[], notes: string[]) {
  if (!isRoot()) throw new Error(`Missing ${pkgs.join(", ")}: install them, or set DATABASE_URL/REDIS_URL.`);
  notes.push(`installing ${pkgs.join(", ")} with apt-get`);
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", ...pkgs], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}

function pgBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(root, v, "bin")).find((d) => existsSync(path.join(d, "initdb")));
}

/** Starts a private Postgres cluster in .data/postgres on LOCAL_PG_PORT (trust auth, local only). */
async function startLocalPostgres(notes: string[]): Promise<string> {
  let bin = pgBinDir();
  if (!bin) {
    aptInstall(["postgresql"], notes);
    bin = pgBinDir();
    if (!bin) throw new Error("postgresql installed but initdb not found");
  }
  const dir = path.join(DATA, "postgres");
  // initdb and postgres refuse to run as root; run them as the postgres system user.
  const asUser = isRoot() ? ["runuser", "-u", "postgres", "--"] : [];
  const run = (cmd: string, args: string[]) => {
    const [exe, ...rest] = [...asUser, cmd, ...args];
    const r = spawnSync(exe!, rest, { stdio: "inherit" });
    if (r.status !== 0) throw new Error(`${cmd} failed`);
  };
  mkdirSync(DATA, { recursive: true });
  if (!existsSync(path.join(dir, "PG_VERSION"))) {
    mkdirSync(dir, { recursive: true });
    if (isRoot()) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString()), Number(execFileSync("id", ["-g", "postgres"]).toString()));
    run(path.join(bin, "initdb"), ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  }
  run(path.join(bin, "pg_ctl"), ["-D", dir, "-l", path.join(dir, "server.log"), "-o", `-p ${LOCAL_PG_PORT} -k /tmp -c listen_addresses=127.0.0.1`, "-w", "start"]);
  notes.push(`started a local Postgres in .data/postgres on port ${LOCAL_PG_PORT}`);
  return `postgresql://postgres@127.0.0.1:${LOCAL_PG_PORT}/postgres`;
}

async function startLocalRedis(notes: string[]): Promise<string> {
  if (spawnSync("which", ["redis-server"]).status !== 0) aptInstall(["redis-server"], notes);
  const dir = path.join(DATA, "redis");
  mkdirSync(dir, { recursive: true });
  execFileSync("redis-server", [
    "--daemonize", "yes", "--bind", "127.0.0.1", "--port", String(LOCAL_REDIS_PORT),
    "--dir", dir, "--appendonly", "yes", "--appendfsync", "everysec", "--logfile", path.join(dir, "redis.log"),
  ]);
  for (let i = 0; i < 50 && !(await portOpen(LOCAL_REDIS_PORT)); i++) await new Promise((r) => setTimeout(r, 100));
  notes.push(`started a local Redis (AOF on) in .data/redis on port ${LOCAL_REDIS_PORT}`);
  return `redis://127.0.0.1:${LOCAL_REDIS_PORT}`;
}

/** The admin and app-role URLs for one database on the server `serverUrl` points at. */
export function databaseUrls(serverUrl: string, database?: string): { adminUrl: string; appUrl: string } {
  const admin = new URL(serverUrl);
  if (database) admin.pathname = `/${database}`;
  const app = new URL(admin);
  app.username = APP_ROLE;
  app.password = "";
  return { adminUrl: admin.toString(), appUrl: app.toString() };
}

export type Services = { serverUrl: string; redisUrl: string; notes: string[] };

/**
 * Resolves a reachable Postgres (`serverUrl`, a role that may create databases and roles)
 * and a durable Redis.
 */
export async function ensureServices(): Promise<Services> {
  const notes: string[] = [];
  const given = process.env.MIGRATE_DATABASE_URL ?? process.env.DATABASE_URL;
  let serverUrl: string;
  if (given) {
    if (!(await canQuery(given))) throw new Error("Postgres at MIGRATE_DATABASE_URL/DATABASE_URL does not answer.");
    serverUrl = given;
  } else if (await canQuery("postgresql://postgres@127.0.0.1:5432/postgres")) {
    serverUrl = "postgresql://postgres@127.0.0.1:5432/postgres";
  } else if (await canQuery(`postgresql://postgres@127.0.0.1:${LOCAL_PG_PORT}/postgres`)) {
    serverUrl = `postgresql://postgres@127.0.0.1:${LOCAL_PG_PORT}/postgres`;
  } else {
    serverUrl = await startLocalPostgres(notes);
  }

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    if (await portOpen(6379)) redisUrl = "redis://127.0.0.1:6379";
    else if (await portOpen(LOCAL_REDIS_PORT)) redisUrl = `redis://127.0.0.1:${LOCAL_REDIS_PORT}`;
    else redisUrl = await startLocalRedis(notes);
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  try {
    await redis.connect();
    const durability = await ensureRedisDurable(redis, { enable: true });
    if (durability.changed) notes.push("enabled AOF persistence on Redis (appendonly yes)");
  } finally {
    redis.disconnect();
  }
  return { serverUrl, redisUrl, notes };
}
