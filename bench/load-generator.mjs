// The benches' HTTP load generator, run as a worker thread (bench/support.ts `generateLoad`).
// Why not `fetch`: on a two-core machine the load generator competes with the system under
// test, and undici spends ~100 µs of CPU per request; these raw keep-alive sockets with
// pre-built request bytes spend a few. Its own thread also keeps the bench's other work
// (Prisma, pg, timers) from delaying sends or reads.
//
// Open loop (`rate`): request i is due at start + i / rate, sent then whatever else is in
// flight (a new connection is opened when none is free), and its latency counts from when
// it was due (or from when it was sent, if that was earlier), so a late send or a stalled
// generator shows in the figures (no coordinated omission). Closed loop (`concurrency`): each client sends its next request when the last
// one answered.
import net from "node:net";
import { parentPort, workerData } from "node:worker_threads";

/** @type {{ host: string; port: number; method: string; path: string; headers: Record<string, string>; bodies: string[]; rate?: number; concurrency?: number; seconds: number; sumField?: string }} */
const opts = workerData;
const HEADER_END = Buffer.from("\r\n\r\n");
/** A request unanswered this long counts as a failure ("timeout"); its connection is closed. */
const ANSWER_TIMEOUT_MS = 30_000;
const NO_ANSWER = "no answer in time";

/** Request i's bytes: its body template with every "{{i}}" replaced by i (unique ids per request). */
function requestBytes(i) {
  const template = opts.bodies[i % opts.bodies.length];
  const body = template ? Buffer.from(template.replaceAll("{{i}}", String(i))) : Buffer.alloc(0);
  const head = [`${opts.method} ${opts.path} HTTP/1.1`, `host: ${opts.host}:${opts.port}`, `content-length: ${body.length}`];
  for (const [name, value] of Object.entries(opts.headers)) head.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(head.join("\r\n") + "\r\n\r\n"), body]);
}

/** One keep-alive connection with at most one request in flight. */
function connection() {
  const socket = net.connect({ host: opts.host, port: opts.port, noDelay: true });
  const conn = { socket, busy: false, buffer: Buffer.alloc(0), onResponse: null, onError: null, dead: false };
  socket.on("data", (chunk) => {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    const response = parseResponse(conn.buffer);
    if (!response) return;
    conn.buffer = conn.buffer.subarray(response.length);
    const done = conn.onResponse;
    conn.onResponse = conn.onError = null;
    conn.busy = false;
    idle.push(conn);
    done?.(response);
  });
  const fail = (error) => {
    conn.dead = true;
    const failed = conn.onError;
    conn.onResponse = conn.onError = null;
    failed?.(error ?? new Error("connection closed"));
  };
  socket.on("error", fail);
  socket.on("close", () => fail());
  return conn;
}

/** A complete response at the start of `buf` (status, Server-Timing, body, bytes used), or null. */
function parseResponse(buf) {
  const end = buf.indexOf(HEADER_END);
  if (end < 0) return null;
  const head = buf.toString("latin1", 0, end);
  const status = Number(head.slice(9, 12));
  const lengthMatch = /\r\ncontent-length: *(\d+)/i.exec(head);
  let body;
  let length;
  if (lengthMatch) {
    length = end + 4 + Number(lengthMatch[1]);
    if (buf.length < length) return null;
    body = buf.subarray(end + 4, length);
  } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    const parts = [];
    let at = end + 4;
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", at);
      if (lineEnd < 0) return null;
      const size = parseInt(buf.toString("latin1", at, lineEnd), 16);
      if (buf.length < lineEnd + 2 + size + 2) return null;
      if (size === 0) {
        length = lineEnd + 4;
        break;
      }
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (/\r\nconnection: *close/i.test(head)) {
    // Node's own 408 (a request not read in time on an overloaded server): no body, the socket closes.
    length = end + 4;
    body = Buffer.alloc(0);
  } else {
    throw new Error(`response without a length: ${head.slice(0, 200)}`);
  }
  const timing = /\r\nserver-timing: *[^\r]*dur=([\d.]+)/i.exec(head);
  return { status, body, serverMs: timing ? Number(timing[1]) : NaN, length };
}

const pool = [];
/**
 * Idle connections, taken least recently freed first, so requests rotate over every open
 * connection as many clients' would: reusing the most recently freed one sent nearly all of
 * an open loop's requests down one or two connections, so one process of a multi-process
 * server took most of the load. A queue (an overloaded server leaves thousands open: no linear scans).
 */
let idle = [];
let idleHead = 0;
function take() {
  while (idleHead < idle.length) {
    const conn = idle[idleHead++];
    if (idleHead >= 1024 && idleHead * 2 >= idle.length) {
      idle = idle.slice(idleHead);
      idleHead = 0;
    }
    if (!conn.dead && !conn.busy) return conn;
  }
  const conn = connection();
  pool.push(conn);
  return conn;
}

const latencies = [];
const serverMs = [];
/** Per second of the run (by when a request was due): requests, the slowest latency, and how many took over 10 ms; shows whether a tail is one stall or spread out. */
const timeline = [];
let clockStart = performance.now();
/** Request due at `dueAt` is done (answered or failed): its latency, in the list and in its second. */
function recordLatency(dueAt) {
  const latency = performance.now() - dueAt;
  latencies.push(latency);
  const second = Math.max(0, Math.floor((dueAt - clockStart) / 1000));
  const slot = (timeline[second] ??= { second, requests: 0, maxMs: 0, over10ms: 0 });
  slot.requests++;
  if (latency > slot.maxMs) slot.maxMs = latency;
  if (latency > 10) slot.over10ms++;
}
const statuses = {};
let failures = 0;
let summed = 0;

/** Sends request i on a free connection; resolves when it is answered or failed. */
function send(i, dueAt) {
  const bytes = requestBytes(i);
  const conn = take();
  conn.busy = true;
  return new Promise((resolve) => {
    conn.onResponse = (response) => {
      recordLatency(dueAt);
      if (!Number.isNaN(response.serverMs)) serverMs.push(response.serverMs);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.status >= 400) failures++;
      else if (opts.sumField) summed += Number(JSON.parse(response.body.toString("utf8"))[opts.sumField] ?? 0);
      resolve(response.status);
    };
    conn.onError = (error) => {
      recordLatency(dueAt);
      failures++;
      const kind = error?.message === NO_ANSWER ? "timeout" : "error";
      statuses[kind] = (statuses[kind] ?? 0) + 1;
      resolve(0);
    };
    conn.socket.write(bytes);
    // A request a drowned server never answers must not keep the generator waiting for ever
    // (a soak's generator once stayed busy for 10 minutes after its load phase).
    const timer = setTimeout(() => conn.socket.destroy(new Error(NO_ANSWER)), ANSWER_TIMEOUT_MS);
    timer.unref();
    const settle = conn.onResponse;
    conn.onResponse = (response) => {
      clearTimeout(timer);
      settle(response);
    };
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function openLoop() {
  const interval = 1000 / opts.rate;
  const total = Math.round(opts.rate * opts.seconds);
  const inFlight = [];
  const start = (clockStart = performance.now());
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait); // a timer may fire up to ~1 ms late: that counts against us
    inFlight.push(send(i, Math.min(due, performance.now())));
  }
  await Promise.all(inFlight);
  return performance.now() - start;
}

async function closedLoop() {
  const start = (clockStart = performance.now());
  const end = start + opts.seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < end) {
        const status = await send(next++, performance.now());
        if (status === 429 || status === 503) await sleep(200); // back off like a client
      }
    }),
  );
  return performance.now() - start;
}

// Connections up before the clock starts, so the first requests do not pay the handshake.
for (let i = 0; i < (opts.concurrency ?? 32); i++) {
  const conn = connection();
  pool.push(conn);
  idle.push(conn);
}
await sleep(100);
const elapsedMs = opts.rate ? await openLoop() : await closedLoop();
for (const conn of pool) conn.socket.destroy();
// Wall-clock start of second 0, so bench/support.ts can match a slow second to the CPU samples it took meanwhile.
const startedAtMs = performance.timeOrigin + clockStart;
parentPort.postMessage({ latencies, serverMs, timeline: timeline.filter(Boolean), startedAtMs, statuses, failures, summed, requests: latencies.length, elapsedMs });
