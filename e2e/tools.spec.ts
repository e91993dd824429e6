import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { signIn } from "./support/session";

/** A small MCP `tools/list` response, as a GitHub-like server sends it. */
const MCP_RESPONSE = {
  jsonrpc: "2.0",
  id: 1,
  result: {
    tools: [
      {
        name: "search_code",
        description: "Search code across repositories",
        inputSchema: { type: "object", properties: { query: { type: "string" }, perPage: { type: "number", maximum: 100 } }, required: ["query"] },
        annotations: { readOnlyHint: true },
      },
      {
        name: "create_branch",
        description: "Create a new branch",
        inputSchema: { type: "object", properties: { owner: { type: "string" }, repo: { type: "string" }, branch: { type: "string" } }, required: ["owner", "repo", "branch"] },
        annotations: { readOnlyHint: false, destructiveHint: false },
      },
      {
        name: "delete_branch",
        description: "Delete a branch",
        inputSchema: { type: "object", properties: { owner: { type: "string" }, repo: { type: "string" }, branch: { type: "string" } }, required: ["owner", "repo", "branch"] },
        annotations: { destructiveHint: true },
      },
      { name: "broken", description: "Its schema is not an object", inputSchema: "object" },
    ],
  },
};

const unique = () => `e2e-mcp-${randomBytes(4).toString("hex")}`;

test("an admin imports a pasted MCP tool list: preview, confirm, and the operations appear with risk badges", async ({ page }) => {
  const name = unique();
  await signIn(page, "admin@acme.test");
  await page.goto("/t/acme/policies");
  await page.getByRole("link", { name: "Tool registry" }).click();
  await expect(page).toHaveURL(/\/t\/acme\/policies\/tools$/);
  await expect(page.getByRole("heading", { level: 1, name: "Tool registry" })).toBeVisible();

  await page.getByRole("button", { name: "Import operations", exact: true }).click();
  const form = page.getByRole("form", { name: "Import operations", exact: true });
  await form.getByLabel("Tool name").fill(name);
  await form.getByLabel("Display name").fill("E2E GitHub MCP");

  // A malformed document is refused with a clear message.
  await form.getByLabel("Document (JSON)").fill('{"tools": [');
  await expect(page.getByTestId("import-detected")).toHaveText("This is not valid JSON yet.");
  await form.getByRole("button", { name: "Preview import" }).click();
  await expect(form.getByRole("alert")).toContainText("The document is not valid JSON");

  await form.getByLabel("Document (JSON)").fill(JSON.stringify(MCP_RESPONSE, null, 2));
  await expect(page.getByTestId("import-detected")).toHaveText("Looks like an MCP tool list with 4 tools.");
  await form.getByRole("button", { name: "Preview import" }).click();

  const preview = page.getByRole("region", { name: "Import preview" });
  await expect(preview.getByTestId("import-summary")).toHaveText("3 operations to add, 0 to update, 0 unchanged, 1 warning.");
  await expect(preview).toContainText("new tool: E2E GitHub MCP");
  const toAdd = preview.getByRole("table", { name: "To add: operations" });
  await expect(toAdd.getByRole("row")).toHaveCount(4); // header + 3
  await expect(toAdd.getByRole("row", { name: /search_code/ }).getByTestId("risk-badge")).toHaveText("read");
  await expect(toAdd.getByRole("row", { name: /delete_branch/ })).toContainText("irreversible");
  await expect(preview.getByRole("region", { name: "Import warnings" })).toContainText("broken: skipped, its inputSchema is not a JSON object.");

  // Nothing is written before the confirmation.
  const before = await page.request.get("/api/console/t/acme/tools");
  expect(((await before.json()) as { tools: { name: string }[] }).tools.map((t) => t.name)).not.toContain(name);

  await preview.getByRole("button", { name: "Import 3 operations" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Imported into" })).toHaveText(
    `Imported into E2E GitHub MCP (${name}): 3 operations added. The import is in the audit log.`,
  );
  await expect(preview).toBeHidden();

  const table = page.getByRole("table", { name: `Operations of ${name}` });
  await expect(table.getByRole("row")).toHaveCount(4);
  await expect(table.getByTestId("operation-search_code").getByTestId("risk-badge")).toHaveText("read");
  await expect(table.getByTestId("operation-create_branch").getByTestId("risk-badge")).toHaveText("write");
  await expect(table.getByTestId("operation-delete_branch").getByTestId("risk-badge")).toHaveText("delete");
  await expect(table.getByTestId("operation-delete_branch")).toContainText("irreversible");
  await expect(table.getByTestId("operation-search_code")).toContainText("query*");

  // The same document again: nothing to import.
  await page.getByRole("button", { name: `Import operations into ${name}` }).click();
  await form.getByLabel("Document (JSON)").fill(JSON.stringify(MCP_RESPONSE));
  await form.getByRole("button", { name: "Preview import" }).click();
  await expect(preview.getByTestId("import-summary")).toHaveText("0 operations to add, 0 to update, 3 unchanged, 1 warning.");
  await expect(preview).toContainText("Nothing to import");
});

test("an admin edits an operation's schema, risk class and reversibility, then deletes it after confirming", async ({ page }) => {
  const name = unique();
  await signIn(page, "admin@acme.test");
  const imported = await page.request.post("/api/console/t/acme/tools/import", { data: { tool: { name }, document: MCP_RESPONSE, confirm: true } });
  expect(imported.status()).toBe(200);
  await page.goto("/t/acme/policies/tools");

  const table = page.getByRole("table", { name: `Operations of ${name}` });
  await table.getByRole("button", { name: "Edit create_branch" }).click();
  const form = page.getByRole("form", { name: "Edit create_branch" });
  const schema = form.getByLabel("Argument schema (JSON Schema)");

  // JSON errors show as you type; schema errors come back from the server's ajv check.
  await schema.fill('{"type": "object",');
  await expect(form.getByText(/^Not valid JSON/)).toBeVisible();
  await schema.fill('{"type": "object", "properties": {"branch": {"type": "strin"}}}');
  await form.getByRole("button", { name: "Save operation" }).click();
  await expect(form.getByText("/properties/branch/type: must be equal to one of the allowed values")).toBeVisible();

  await schema.fill('{"type": "object", "properties": {"branch": {"type": "string", "pattern": "^e2e/"}}, "required": ["branch"]}');
  await form.getByLabel("Risk class").selectOption("deploy");
  await form.getByLabel("Its effect can be undone").uncheck();
  await form.getByRole("button", { name: "Save operation" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toHaveText(`Saved ${name} · create_branch. The change is in the audit log.`);
  const row = table.getByTestId("operation-create_branch");
  await expect(row.getByTestId("risk-badge")).toHaveText("deploy");
  await expect(row).toContainText("irreversible");
  await expect(row).toContainText("branch*");

  // Deleting asks first.
  await table.getByRole("button", { name: "Delete create_branch" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete ${name} · create_branch?` });
  await expect(dialog).toContainText("denied as an unknown operation");
  await dialog.getByRole("button", { name: "Delete operation" }).click();
  await expect(dialog).toBeHidden();
  await expect(table.getByTestId("operation-create_branch")).toHaveCount(0);
  await expect(table.getByRole("row")).toHaveCount(3);
});
