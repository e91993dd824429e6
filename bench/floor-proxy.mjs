// The gateway bench's floor: the least any gateway with Gatehouse's durability could do per
// call. A bare node:http proxy that makes the gateway's hops and nothing else: it appends
// the call's record to the decision record stream and waits for Redis (as the gateway does
// before sending), forwards the call to the upstream on a kept-alive connection, appends the
// result's record without waiting, and answers. The records are the gateway probe's own
// stream entries with a fresh decision id and the request's run id, so the worker records
// exactly what it records for the gateway. No identity, policy, quotas, schema or redaction.
// Run: node bench/floor-proxy.mjs <port> <upstream origin> <redis url> <stream key> <template file>
// (the template: { decisionId, runId, call, result }, the last two the entries' JSON).
import { readFileSync } from "node:fs";
import { createServer, request, Agent } from "node:http";
import { Redis } from "ioredis";

const [port, upstream, redisUrl, stream, templateFile] = process.argv.slice(2);
const template = JSON.parse(readFileSync(templateFile, "utf8"));
const redis = new Redis(redisUrl);
const agent = new Agent({ keepAlive: true });
let calls = 0;

/** The template entry as call `decisionId` of run `runId` would have written it now. */
function entry(json, decisionId, runId) {
  const job = JSON.parse(json.replaceAll(template.decisionId, decisionId).replaceAll(template.runId, runId));
  const now = new Date().toISOString();
  for (const record of job.records) record.createdAt = now;
  for (const event of job.gatewayEvents) event.ts = now;
  return JSON.stringify(job);
}

createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    try {
      const { run_id: runId, args } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const decisionId = `dec_floor${process.pid.toString(36)}${(++calls).toString(36).padStart(7, "0")}`;
      await redis.xadd(stream, "*", "job", entry(template.call, decisionId, runId));
      const body = JSON.stringify({ amount_cents: args.amount_cents });
      const answer = await new Promise((resolve, reject) => {
        const out = request(`${upstream}/v1/charges/${encodeURIComponent(args.charge_id)}/refunds`, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (up) => {
          const parts = [];
          up.on("data", (c) => parts.push(c));
          up.on("end", () => resolve({ status: up.statusCode, body: Buffer.concat(parts) }));
          up.on("error", reject);
        });
        out.on("error", reject);
        out.end(body);
      });
      void redis.xadd(stream, "*", "job", entry(template.result, decisionId, runId)).catch(() => {});
      const reply = JSON.stringify({ decision_id: decisionId, decision: "allow", result: { status: answer.status, body: JSON.parse(answer.body.toString("utf8")) } });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(reply) });
      res.end(reply);
    } catch (error) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(String(error));
    }
  });
}).listen(Number(port), "127.0.0.1");
