/**
 * Puts Acme's demo tools behind the gateway: one vaulted connection per fake service of the
 * Gatehouse demo upstream (servers/demo-upstream.ts) and, per tool, an upstream and per
 * operation the HTTP method, path and side-effect fields. Done through the same services
 * the console uses (sealed, audited). Idempotent: a connection that exists is kept, an
 * upstream or operation mapping an admin has set is not overwritten.
 */
import { createConnection } from "@/lib/connections/create-connection";
import { withTenant } from "@/lib/db/tenant";
import type { SpendField } from "@/lib/tools/schemas";
import { updateOperation } from "@/lib/tools/update-operation";
import { updateTool } from "@/lib/tools/update-tool";
import { DEMO_CREDENTIALS, demoUpstreamHost, type DemoService } from "./demo-upstream-credentials";
import { demoAdmin } from "./seed-demo-policy";

type Mapping = { method: "GET" | "POST" | "PUT"; path: string; sideEffect?: { object_type: string; id?: string; url?: string }; spend?: SpendField };

export const DEMO_GATEWAY: Record<string, { service: DemoService; connection: string; operations: Record<string, Mapping> }> = {
  stripe: {
    service: "payments",
    connection: "demo-payments",
    operations: {
      "charges.retrieve": { method: "GET", path: "/v1/charges/{charge_id}" },
      // Money out: the refunded amount (cents, as the upstream answered it) counts against the spend limit.
      "refunds.create": { method: "POST", path: "/v1/refunds", sideEffect: { object_type: "refund", id: "id", url: "url" }, spend: { source: "response", field: "amount", unit: "cents" } },
    },
  },
  github: {
    service: "code",
    connection: "demo-code-hosting",
    operations: {
      "repos.get": { method: "GET", path: "/repos/{repo}" },
      "pulls.create": { method: "POST", path: "/repos/{repo}/pulls", sideEffect: { object_type: "pull_request", id: "number", url: "html_url" } },
      "pulls.merge": { method: "PUT", path: "/repos/{repo}/pulls/{pull_number}/merge", sideEffect: { object_type: "merge", id: "sha", url: "html_url" } },
    },
  },
  jira: {
    service: "tickets",
    connection: "demo-ticketing",
    operations: {
      "issues.get": { method: "GET", path: "/rest/api/3/issue/{key}" },
      "issues.comment": { method: "POST", path: "/rest/api/3/issue/{key}/comment", sideEffect: { object_type: "comment", id: "id", url: "self" } },
    },
  },
  slack: {
    service: "chat",
    connection: "demo-chat",
    operations: { "chat.postMessage": { method: "POST", path: "/chat.postMessage", sideEffect: { object_type: "message", id: "ts", url: "permalink" } } },
  },
};

const TENANT_ID = "ten_demo_acme";

export async function seedDemoGateway(log: (line: string) => void) {
  const actor = await demoAdmin();
  const host = demoUpstreamHost();
  const { connections, tools } = await withTenant({ tenantId: TENANT_ID }, async (tx) => ({
    connections: await tx.connection.findMany({ where: { tenantId: TENANT_ID }, select: { id: true, name: true } }),
    tools: await tx.tool.findMany({ where: { tenantId: TENANT_ID }, include: { operations: true } }),
  }));
  const connectionIds = new Map(connections.map((c) => [c.name, c.id]));
  let created = 0;
  for (const [toolName, demo] of Object.entries(DEMO_GATEWAY)) {
    let connectionId = connectionIds.get(demo.connection);
    if (!connectionId) {
      const credential = DEMO_CREDENTIALS[demo.service];
      const connection = await createConnection({
        actor,
        request: { name: demo.connection, kind: credential.kind, secret: credential.secret, ...(credential.username && { username: credential.username }), allowedHosts: [host] },
      });
      connectionId = connection.id;
      created++;
    }
    const tool = tools.find((t) => t.name === toolName);
    if (!tool) continue;
    if (tool.upstreamKind === "none") await updateTool({ actor, toolId: tool.id, changes: { upstream: { kind: "http", baseUrl: `http://${host}`, connectionId, timeoutMs: 10_000, maxResponseBytes: 1024 * 1024 } } });
    for (const op of tool.operations) {
      const mapping = demo.operations[op.name];
      if (!mapping || op.httpMethod) continue;
      await updateOperation({ actor, toolId: tool.id, operationId: op.id, changes: { http: { method: mapping.method, path: mapping.path }, sideEffectFields: mapping.sideEffect ?? null, spendField: mapping.spend ?? null } });
    }
  }
  if (created) log(`vaulted ${created} demo connections; the demo tools call the Gatehouse demo upstream at http://${host}`);
}
