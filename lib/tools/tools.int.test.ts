import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { authState } from "@/lib/agents/auth-state";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { withTenant } from "@/lib/db/tenant";
import { policyCache } from "@/lib/policy/engine";
import { AppError } from "@/lib/errors";
import { createTestTenant, uniq } from "@/lib/testing/factories";
import { createTool } from "./create-tool";
import { deleteOperation } from "./delete-operation";
import { importOperations } from "./import-operations";
import { listTools } from "./list-tools";
import { createToolInput, importOperationsInput, upsertOperationInput, type ImportOperationsInput } from "./schemas";
import { updateOperation } from "./update-operation";
import { updateTool } from "./update-tool";
import { upsertOperation } from "./upsert-operation";

const GITHUB_MCP = readFileSync(path.join(import.meta.dirname, "fixtures", "github-mcp-tools-list.json"), "utf8");
const STRIPE_OPENAPI = readFileSync(path.join(import.meta.dirname, "fixtures", "stripe-openapi.json"), "utf8");

const auditEntries = (tenantId: string) => withTenant({ tenantId }, (tx) => tx.auditEntry.findMany({ where: { tenantId, targetType: "tool" }, orderBy: { seq: "asc" } }));

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

const importRequest = (input: Partial<ImportOperationsInput> & { tool: ImportOperationsInput["tool"] }) => importOperationsInput.parse({ document: GITHUB_MCP, ...input });

describe("tool registry", () => {
  it("registers a tool once per name, and audits it", async () => {
    const { tenant, owner } = await createTestTenant();
    const tool = await createTool({ actor: owner, tool: createToolInput.parse({ name: "github", displayName: "GitHub" }), requestId: "req_1" });
    expect(tool).toMatchObject({ name: "github", displayName: "GitHub", description: "", tenantId: tenant.id });
    const dup = await failure(createTool({ actor: owner, tool: createToolInput.parse({ name: "github", displayName: "Again" }) }));
    expect(dup.code).toBe("conflict");
    const entries = await auditEntries(tenant.id);
    expect(entries.map((e) => [e.action, e.targetId, e.actorId, e.requestId])).toEqual([["tool.registered", "github", owner.user.id, "req_1"]]);
    expect(entries[0]!.after).toEqual({ name: "github", displayName: "GitHub", description: "" });
  });

  it("imports an MCP tool list into a new tool after a preview; importing it again changes nothing", async () => {
    const { tenant, owner } = await createTestTenant();
    const name = `gh-${uniq()}`;

    const preview = await importOperations({ actor: owner, request: importRequest({ tool: { name, displayName: "GitHub MCP" } }) });
    expect(preview.applied).toBe(false);
    expect(preview.tool).toEqual({ id: null, name, displayName: "GitHub MCP", exists: false });
    expect(preview.plan.add.map((p) => [p.name, p.riskClass, p.reversible])).toEqual([
      ["get_file_contents", "read", true],
      ["list_issues", "read", true],
      ["create_issue", "write", true],
      ["merge_pull_request", "write", true],
      ["delete_file", "delete", false],
    ]);
    expect(await listTools({ tenantId: tenant.id })).toEqual([]); // a preview writes nothing
    expect(await auditEntries(tenant.id)).toEqual([]);

    const applied = await importOperations({ actor: owner, request: importRequest({ tool: { name, displayName: "GitHub MCP" }, confirm: true, fingerprint: preview.plan.fingerprint }), requestId: "req_import" });
    expect(applied).toMatchObject({ applied: true, tool: { name, exists: true } });
    const [tool] = await listTools({ tenantId: tenant.id });
    expect(tool).toMatchObject({ id: applied.tool.id, name, displayName: "GitHub MCP" });
    expect(tool!.operations.map((o) => [o.name, o.riskClass, o.reversible])).toEqual([
      ["create_issue", "write", true],
      ["delete_file", "delete", false],
      ["get_file_contents", "read", true],
      ["list_issues", "read", true],
      ["merge_pull_request", "write", true],
    ]);
    expect(tool!.operations.find((o) => o.name === "get_file_contents")!.argsSchema).toMatchObject({ type: "object", required: ["owner", "repo"] });

    const entries = await auditEntries(tenant.id);
    expect(entries.map((e) => [e.action, e.targetId, e.requestId])).toEqual([
      ["tool.registered", name, "req_import"],
      ["tool.operations_imported", name, "req_import"],
    ]);
    expect(entries[1]!.after).toMatchObject({ format: "mcp", added: expect.arrayContaining([expect.objectContaining({ name: "delete_file", riskClass: "delete", reversible: false })]), updated: [], unchanged: 0, skipped: 0 });

    // Again, the same document: idempotent (no writes, no audit entry).
    const again = await importOperations({ actor: owner, request: importRequest({ tool: { name }, confirm: true }) });
    expect(again.plan).toMatchObject({ add: [], update: [], kept: [] });
    expect(again.plan.unchanged).toHaveLength(5);
    expect((await listTools({ tenantId: tenant.id }))[0]!.operations).toHaveLength(5);
    expect(await auditEntries(tenant.id)).toHaveLength(2);
    expect(await verifyAuditChain({ tenantId: tenant.id })).toMatchObject({ ok: true });
  });

  it("refuses to apply a stale preview", async () => {
    const { owner } = await createTestTenant();
    const name = `gh-${uniq()}`;
    const preview = await importOperations({ actor: owner, request: importRequest({ tool: { name } }) });
    await importOperations({ actor: owner, request: importRequest({ tool: { name }, confirm: true }) }); // someone else applied it first
    const stale = await failure(importOperations({ actor: owner, request: importRequest({ tool: { name }, confirm: true, fingerprint: preview.plan.fingerprint }) }));
    expect(stale.code).toBe("conflict");
  });

  it("re-imports refresh descriptions and schemas but keep hand-set risk classes and operations the document lacks", async () => {
    const { tenant, owner } = await createTestTenant();
    const name = `stripe-${uniq()}`;
    const first = await importOperations({ actor: owner, request: importRequest({ tool: { name }, document: STRIPE_OPENAPI, confirm: true }) });
    const toolId = first.tool.id!;
    expect(first.plan.add).toHaveLength(7);
    expect(first.plan.warnings.filter((w) => w.skipped)).toHaveLength(1); // the schema that does not compile

    const ops = (await listTools({ tenantId: tenant.id }))[0]!.operations;
    const refunds = ops.find((o) => o.name === "PostRefunds")!;
    // The gateway's method and path come with the document.
    expect(refunds.http).toEqual({ method: "POST", path: "/v1/refunds" });
    expect(ops.find((o) => o.name === "DELETE /v1/customers/{customer}")!.http).toEqual({ method: "DELETE", path: "/v1/customers/{customer}" });
    await updateOperation({ actor: owner, toolId, operationId: refunds.id, changes: { riskClass: "money", reversible: false, http: { method: "POST", path: "/v2/refunds" } } });
    await upsertOperation({ actor: owner, toolId, operation: upsertOperationInput.parse({ name: "refunds.cancel", riskClass: "money", reversible: false }) });

    const changed = JSON.parse(STRIPE_OPENAPI);
    changed.paths["/v1/refunds"].post.summary = "Create a refund";
    delete changed.paths["/v1/files"];
    const second = await importOperations({ actor: owner, request: importRequest({ tool: { name }, document: changed, confirm: true }) });
    expect(second.plan.update).toEqual([expect.objectContaining({ name: "PostRefunds", changes: ["description"], riskClass: "money", reversible: false })]);
    expect(second.plan.kept).toEqual(["PostFiles", "refunds.cancel"]);
    const after = new Map((await listTools({ tenantId: tenant.id }))[0]!.operations.map((o) => [o.name, o]));
    expect(after.get("PostRefunds")).toMatchObject({ description: "Create a refund", riskClass: "money", reversible: false, http: { method: "POST", path: "/v2/refunds" } }); // set in the console: kept
    expect(after.has("PostFiles")).toBe(true);
    expect(after.has("refunds.cancel")).toBe(true);

    const imported = (await auditEntries(tenant.id)).filter((e) => e.action === "tool.operations_imported").at(-1)!;
    expect(imported.before).toEqual({ updated: [{ name: "PostRefunds", description: "Create customer balance refund" }] });
    expect(imported.after).toMatchObject({ format: "openapi", title: "Stripe API", added: [], updated: [{ name: "PostRefunds", description: "Create a refund" }], unchanged: 5 });
  });

  it("refuses a malformed document with a validation error and writes nothing", async () => {
    const { tenant, owner } = await createTestTenant();
    const bad = await failure(importOperations({ actor: owner, request: importRequest({ tool: { name: `x-${uniq()}` }, document: '{"tools": [', confirm: true }) }));
    expect(bad.code).toBe("validation_failed");
    expect(bad.message).toMatch(/not valid JSON/);
    const swagger = await failure(importOperations({ actor: owner, request: importRequest({ tool: { name: `x-${uniq()}` }, document: { swagger: "2.0" }, confirm: true }) }));
    expect(swagger.code).toBe("validation_failed");
    expect(await listTools({ tenantId: tenant.id })).toEqual([]);
  });

  it("edits a tool and its operations, checking schemas, auditing each change with before and after", async () => {
    const { tenant, owner, members } = await createTestTenant(["admin"]);
    const admin = members.admin!;
    const tool = await createTool({ actor: owner, tool: createToolInput.parse({ name: `jira-${uniq()}`, displayName: "Jira" }) });

    await updateTool({ actor: admin, toolId: tool.id, changes: { displayName: "Jira Cloud", description: "Tickets" } });
    expect(await updateTool({ actor: admin, toolId: tool.id, changes: { displayName: "Jira Cloud" } })).toMatchObject({ displayName: "Jira Cloud" }); // no change, no entry

    const schema = { type: "object", properties: { key: { type: "string", pattern: "^[A-Z]+-\\d+$" } }, required: ["key"] };
    const added = await upsertOperation({ actor: admin, toolId: tool.id, operation: upsertOperationInput.parse({ name: "issues.get", argsSchema: schema, riskClass: "read", reversible: true }) });
    expect(added).toMatchObject({ created: true, changed: true, operation: { name: "issues.get", riskClass: "read", argsSchema: schema } });
    const replaced = await upsertOperation({ actor: admin, toolId: tool.id, operation: upsertOperationInput.parse({ name: "issues.get", argsSchema: schema, riskClass: "read", reversible: true, description: "Read an issue" }) });
    expect(replaced).toMatchObject({ created: false, changed: true, operation: { id: added.operation.id, description: "Read an issue" } });

    const broken = await failure(updateOperation({ actor: admin, toolId: tool.id, operationId: added.operation.id, changes: { argsSchema: { type: "object", properties: { key: { type: "strnig" } } } } }));
    expect(broken.code).toBe("validation_failed");
    expect(broken.details).toEqual([expect.objectContaining({ path: "argsSchema", message: expect.stringContaining("/properties/key/type") })]);
    const badUpsert = await failure(upsertOperation({ actor: admin, toolId: tool.id, operation: upsertOperationInput.parse({ name: "issues.bad", argsSchema: { $ref: "#/$defs/nope" }, riskClass: "write", reversible: true }) }));
    expect(badUpsert.code).toBe("validation_failed");

    const updated = await updateOperation({ actor: admin, toolId: tool.id, operationId: added.operation.id, changes: { riskClass: "write", reversible: false, argsSchema: { ...schema, additionalProperties: false } } });
    expect(updated).toMatchObject({ changed: true, operation: { riskClass: "write", reversible: false } });
    // Same schema with keys in another order: no change.
    const same = await updateOperation({ actor: admin, toolId: tool.id, operationId: added.operation.id, changes: { argsSchema: { additionalProperties: false, required: ["key"], properties: schema.properties, type: "object" } } });
    expect(same.changed).toBe(false);

    const deleted = await deleteOperation({ actor: admin, toolId: tool.id, operationId: added.operation.id, requestId: "req_del" });
    expect(deleted.deleted.name).toBe("issues.get");
    expect((await failure(deleteOperation({ actor: admin, toolId: tool.id, operationId: added.operation.id }))).code).toBe("not_found");
    expect((await listTools({ tenantId: tenant.id }))[0]!.operations).toEqual([]);

    const entries = await auditEntries(tenant.id);
    expect(entries.map((e) => e.action)).toEqual(["tool.registered", "tool.updated", "tool.operation_added", "tool.operation_updated", "tool.operation_updated", "tool.operation_deleted"]);
    expect(entries.every((e) => e.targetId === tool.name)).toBe(true);
    expect(entries.slice(1).every((e) => e.actorId === admin.user.id && e.actorLabel === admin.user.email)).toBe(true);
    expect(entries[1]).toMatchObject({ before: { displayName: "Jira", description: "" }, after: { displayName: "Jira Cloud", description: "Tickets" } });
    expect(entries[3]).toMatchObject({ before: { name: "issues.get", description: "" }, after: { name: "issues.get", description: "Read an issue" } });
    expect(entries[4]).toMatchObject({
      before: { name: "issues.get", riskClass: "read", reversible: true, argsSchema: schema },
      after: { name: "issues.get", riskClass: "write", reversible: false, argsSchema: { ...schema, additionalProperties: false } },
    });
    expect(entries[5]).toMatchObject({ requestId: "req_del", before: { name: "issues.get", riskClass: "write", description: "Read an issue" }, after: null });
    expect(await verifyAuditChain({ tenantId: tenant.id })).toMatchObject({ ok: true });
  });

  it("keeps tenants apart: another tenant neither sees nor touches a tool", async () => {
    const acme = await createTestTenant();
    const globex = await createTestTenant();
    const name = `gh-${uniq()}`;
    const imported = await importOperations({ actor: acme.owner, request: importRequest({ tool: { name }, confirm: true }) });
    const toolId = imported.tool.id!;
    const [acmeTool] = await listTools({ tenantId: acme.tenant.id });
    const operationId = acmeTool!.operations[0]!.id;

    expect(await listTools({ tenantId: globex.tenant.id })).toEqual([]);
    // Row-level security, below the services: nothing of Acme's is readable as Globex.
    const leaked = await withTenant({ tenantId: globex.tenant.id }, (tx) =>
      Promise.all([tx.tool.findMany({ where: { id: toolId } }), tx.toolOperation.findMany({ where: { toolId } })]),
    );
    expect(leaked).toEqual([[], []]);

    const attempts = [
      () => updateTool({ actor: globex.owner, toolId, changes: { displayName: "pwned" } }),
      () => upsertOperation({ actor: globex.owner, toolId, operation: upsertOperationInput.parse({ name: "evil", riskClass: "read", reversible: true }) }),
      () => updateOperation({ actor: globex.owner, toolId, operationId, changes: { riskClass: "read" } }),
      () => deleteOperation({ actor: globex.owner, toolId, operationId }),
    ];
    for (const attempt of attempts) expect((await failure(attempt())).code).toBe("not_found");

    // The same tool name in Globex is Globex's own tool: the import creates it there.
    const preview = await importOperations({ actor: globex.owner, request: importRequest({ tool: { name } }) });
    expect(preview.tool.exists).toBe(false);
    expect(preview.plan.add).toHaveLength(5);

    const [after] = await listTools({ tenantId: acme.tenant.id });
    expect(after).toEqual(acmeTool);
    expect(await auditEntries(globex.tenant.id)).toEqual([]);
  });

  it("reaches the decision engine's cache at once: a registry change invalidates the tenant's cached policy", async () => {
    const { tenant, owner } = await createTestTenant();
    const tool = await createTool({ actor: owner, tool: createToolInput.parse({ name: `slack-${uniq()}`, displayName: "Slack" }) });
    await policyCache.get(tenant.id); // subscribes
    await vi.waitFor(() => expect(authState.isLive).toBe(true), { timeout: 5_000 });
    expect((await policyCache.get(tenant.id)).operations.size).toBe(0); // now cached (for 30 s without invalidation)

    const added = await upsertOperation({ actor: owner, toolId: tool.id, operation: upsertOperationInput.parse({ name: "chat.postMessage", riskClass: "write", reversible: true }) });
    expect([...(await policyCache.get(tenant.id)).operations.values()].map((o) => [o.tool, o.name, o.riskClass])).toEqual([[tool.name, "chat.postMessage", "write"]]);

    await updateOperation({ actor: owner, toolId: tool.id, operationId: added.operation.id, changes: { riskClass: "identity" } });
    expect([...(await policyCache.get(tenant.id)).operations.values()].map((o) => o.riskClass)).toEqual(["identity"]);

    await deleteOperation({ actor: owner, toolId: tool.id, operationId: added.operation.id });
    expect((await policyCache.get(tenant.id)).operations.size).toBe(0);
  });
});

afterAll(() => authState.close());
