import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { BoundedMap } from "@/lib/bounded-map";
import { hostListMatches, ipLiteral, isBlockedAddress, parseHostList, type HostList } from "./addresses";

/**
 * Every server-side request Gatehouse makes (webhooks, JWKS, tool upstreams) goes through
 * here, so an address a tenant names cannot reach the instance's own network (SSRF, issue 13).
 * The address check runs in the socket's `lookup`, on the addresses actually connected to,
 * so a name that resolves to a public address when saved and to 127.0.0.1 later (DNS
 * rebinding) is still refused. Redirects are never followed. OUTBOUND_ALLOW_HOSTS (host,
 * host:port or CIDR, comma separated) is the operator's escape hatch for internal targets.
 * Connections are kept alive per origin (a gateway call would otherwise spend a TCP and TLS
 * handshake on each upstream request): a pooled socket was checked when it connected, and
 * every new one goes through the guarded lookup again.
 */

export type OutboundRequest = {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** host or host:port; when given, only these. */
  allowedHosts?: string[];
  /** Over maxResponseBytes: "truncate" answers the first bytes with truncated=true; "error" (the default) throws too_large. */
  onTooLarge?: "truncate" | "error";
  /** A 3xx is answered as-is ("return", the default) or thrown as redirect_refused ("refuse"). Never followed. */
  redirects?: "return" | "refuse";
  /**
   * Told of each chunk of the body; true ends the read there with what has arrived, for an
   * answer the server may keep open after its last useful byte (an MCP server's SSE stream).
   */
  complete?: (chunk: Buffer, headers: IncomingHttpHeaders) => boolean;
};

export type OutboundResponse = { status: number; headers: Record<string, string>; body: Buffer; truncated: boolean; latencyMs: number };

export type OutboundErrorCode = "invalid_url" | "blocked_address" | "host_not_allowed" | "timeout" | "unreachable" | "too_large" | "redirect_refused";

const PUBLIC_MESSAGES: Record<OutboundErrorCode, string> = {
  invalid_url: "The URL must be an absolute http:// or https:// URL.",
  blocked_address: "The URL points to a private, loopback, link-local or otherwise internal address, which Gatehouse does not call.",
  host_not_allowed: "The URL's host is not allowed for this request.",
  timeout: "The target did not answer in time.",
  unreachable: "The target could not be reached.",
  too_large: "The target's response was too large.",
  redirect_refused: "The target answered with a redirect, which Gatehouse does not follow.",
};

/**
 * `message` is for the server log (it may name addresses and system errors);
 * `publicMessage` is what a tenant may see and never reveals network details.
 */
export class OutboundError extends Error {
  readonly publicMessage: string;
  constructor(
    readonly code: OutboundErrorCode,
    message?: string,
  ) {
    super(message ?? PUBLIC_MESSAGES[code]);
    this.name = "OutboundError";
    this.publicMessage = PUBLIC_MESSAGES[code];
  }
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Resolves a name to every address (tests substitute one to simulate rebinding). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

let operatorAllow: { text: string; list: HostList } | undefined;
function operatorAllowList(): HostList {
  const text = process.env.OUTBOUND_ALLOW_HOSTS ?? "";
  if (operatorAllow?.text !== text) operatorAllow = { text, list: parseHostList(text.split(",")) };
  return operatorAllow.list;
}

type Target = { url: URL; host: string; port: number };

/** Parsed once per list: a gateway call passes its connection's (cached, unchanging) hosts on every call. */
const parsedHostLists = new WeakMap<readonly string[], HostList>();
function hostListOf(hosts: readonly string[]): HostList {
  let list = parsedHostLists.get(hosts);
  if (!list) parsedHostLists.set(hosts, (list = parseHostList(hosts)));
  return list;
}

/** Parses and checks a URL without connecting: what a form can validate at save time (names are checked again at connect time). */
export function checkOutboundUrl(raw: string, allowedHosts?: string[]): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError("invalid_url");
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) throw new OutboundError("invalid_url");
  const host = (url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname).toLowerCase();
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  if (allowedHosts && !hostListMatches(hostListOf(allowedHosts), host, port)) throw new OutboundError("host_not_allowed", `${host}:${port} is not in allowedHosts`);
  const literal = ipLiteral(host);
  if (literal && !addressAllowed(host, port, literal)) throw new OutboundError("blocked_address", `${host} is an internal address`);
  return { url, host, port };
}

const SAVE_TIME_LOOKUP_MS = 2_000;

/**
 * checkOutboundUrl and, for a host name, the addresses it resolves to now: the clear answer
 * a form can give when a tenant saves a name that points inside (localhost, a metadata
 * alias). A name that does not resolve yet passes; every connect checks again anyway.
 */
export async function checkOutboundTarget(raw: string, deps: { resolve?: Resolver } = {}): Promise<void> {
  const target = checkOutboundUrl(raw);
  if (ipLiteral(target.host)) return;
  let timer: NodeJS.Timeout | undefined;
  const addresses = await Promise.race([
    (deps.resolve ?? systemResolver)(target.host).catch((): LookupAddress[] => []),
    new Promise<LookupAddress[]>((resolve) => (timer = setTimeout(() => resolve([]), SAVE_TIME_LOOKUP_MS))),
  ]).finally(() => clearTimeout(timer));
  const bad = addresses.find((a) => !addressAllowed(target.host, target.port, a.address));
  if (bad) throw new OutboundError("blocked_address", `${target.host} resolves to internal address ${bad.address}`);
}

function addressAllowed(host: string, port: number, address: string): boolean {
  return !isBlockedAddress(address) || hostListMatches(operatorAllowList(), host, port, address);
}

/** The socket's lookup: resolve, then refuse the whole name if any address is internal. */
function guardedLookup(target: Target, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname)
      .then((all) => {
        const family = typeof options === "object" && options.family ? Number(options.family) : 0;
        const addresses = all.filter((a) => !family || a.family === family);
        const bad = addresses.find((a) => !addressAllowed(target.host, target.port, a.address));
        const first = addresses[0];
        if (!first) throw Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" });
        if (bad) throw new OutboundError("blocked_address", `${hostname} resolved to internal address ${bad.address}`);
        if (typeof options === "object" && options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, "", 0));
  };
}

const pools = new WeakMap<Resolver, BoundedMap<string, http.Agent>>();

/**
 * One keep-alive agent per origin, resolver and operator allow list: the lookup an agent
 * connects with is bound to its target, and a changed allow list starts new connections.
 */
function pooledAgent(target: Target, resolve: Resolver): http.Agent {
  let byOrigin = pools.get(resolve);
  // Webhook URLs are tenants' to choose: past 256 origins the least used is forgotten (its
  // idle sockets close on their own timeout; requests in flight finish).
  if (!byOrigin) pools.set(resolve, (byOrigin = new BoundedMap(256)));
  const key = `${target.url.protocol}//${target.host}:${target.port} ${process.env.OUTBOUND_ALLOW_HOSTS ?? ""}`;
  let agent = byOrigin.get(key);
  if (!agent) {
    const options = {
      keepAlive: true,
      // Idle sockets close after 5 s (or earlier when the upstream's Keep-Alive header says so), as Node's global agent does.
      timeout: 5_000,
      lookup: isIP(target.host) ? undefined : guardedLookup(target, resolve),
    };
    agent = target.url.protocol === "https:" ? new https.Agent(options) : new http.Agent(options);
    byOrigin.set(key, agent);
  }
  return agent;
}

const flatten = (headers: IncomingMessage["headers"]) =>
  Object.fromEntries(Object.entries(headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(", ") : v]])));

export async function outboundFetch(req: OutboundRequest, deps: { resolve?: Resolver } = {}): Promise<OutboundResponse> {
  const target = checkOutboundUrl(req.url, req.allowedHosts);
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const started = performance.now();
  const transport = target.url.protocol === "https:" ? https : http;

  return new Promise<OutboundResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, value?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        request.destroy();
        reject(err);
      } else resolve(value!);
    };
    const request = transport.request(
      target.url,
      {
        method: req.method ?? "GET",
        headers: req.headers,
        agent: pooledAgent(target, deps.resolve ?? systemResolver),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (req.redirects === "refuse" && status >= 300 && status < 400) return finish(new OutboundError("redirect_refused", `HTTP ${status} to ${response.headers.location ?? "(none)"}`));
        const declared = Number(response.headers["content-length"]);
        if (req.onTooLarge !== "truncate" && declared > maxBytes) return finish(new OutboundError("too_large", `content-length ${declared} > ${maxBytes}`));
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          if (settled) return; // answered already (complete): the rest is drained, not kept
          if (size + chunk.length > maxBytes) {
            if (req.onTooLarge !== "truncate") return finish(new OutboundError("too_large", `more than ${maxBytes} bytes`));
            chunks.push(chunk.subarray(0, maxBytes - size));
            size = maxBytes;
            finish(undefined, answer(status, response, chunks, true));
            return request.destroy(); // the rest is not read
          }
          chunks.push(chunk);
          size += chunk.length;
          let complete: boolean | undefined;
          try {
            complete = req.complete?.(chunk, response.headers);
          } catch (err) {
            return finish(err as Error);
          }
          if (complete) {
            finish(undefined, answer(status, response, chunks, false));
            // A server that ends the stream now gives the socket back to the pool; one that keeps it open loses it at the timeout.
            const drained = setTimeout(() => request.destroy(), timeoutMs).unref();
            response.once("close", () => clearTimeout(drained));
          }
        });
        response.on("end", () => finish(undefined, answer(status, response, chunks, false)));
        response.on("error", (err) => finish(toOutboundError(err)));
      },
    );
    const answer = (status: number, response: IncomingMessage, chunks: Buffer[], truncated: boolean): OutboundResponse => ({
      status,
      headers: flatten(response.headers),
      body: Buffer.concat(chunks),
      truncated,
      latencyMs: Math.round(performance.now() - started),
    });
    const timer = setTimeout(() => finish(new OutboundError("timeout", `no complete answer within ${timeoutMs} ms`)), timeoutMs);
    request.on("error", (err) => finish(toOutboundError(err)));
    request.end(req.body);
  });
}

function toOutboundError(err: Error): OutboundError {
  if (err instanceof OutboundError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new OutboundError("unreachable", `${code ?? err.name}: ${err.message}`);
}
