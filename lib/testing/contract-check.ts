/**
 * Every answer a machine-API route gives during the tests is checked against what the
 * contract declares for that operation (lib/api/contract.ts, the OpenAPI document's source):
 * its status must be one the operation lists, and a JSON body must parse with that status's
 * schema. A test whose routes answered outside the contract fails with what was wrong.
 * Loaded for every test file (vitest.config.ts setupFiles); console routes are not checked.
 */
import { afterEach } from "vitest";
import { operationFor } from "@/lib/api/contract";
import { answerObserver, jsonBody } from "@/lib/http/respond";

const pending: Promise<string | undefined>[] = [];

async function breach(request: Request, response: Response): Promise<string | undefined> {
  const url = new URL(request.url);
  const op = operationFor(request.method, url.pathname);
  if (!op) return undefined;
  const where = `${request.method} ${url.pathname} answered ${response.status}`;
  const declared = op.responses[response.status];
  if (!declared) return `${where}, a status ${op.method.toUpperCase()} ${op.path} does not declare (${Object.keys(op.responses).join(", ")})`;
  if (!declared.schema || !/^application\/json\b/.test(response.headers.get("content-type") ?? "")) return undefined;
  // An answer to the lean server has no body stream: its JSON is remembered (lib/http/respond.ts).
  const remembered = jsonBody(response);
  const body: unknown = remembered === undefined ? await response.clone().json() : JSON.parse(remembered.toString());
  const parsed = declared.schema.safeParse(body);
  if (parsed.success) return undefined;
  return `${where} with a body its declared schema refuses: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}\n  body: ${JSON.stringify(body).slice(0, 400)}`;
}

answerObserver.current = (request, response) => {
  pending.push(breach(request, response).catch((error: unknown) => `${request.method} ${request.url}: the answer could not be read (${String(error)})`));
};

afterEach(async () => {
  const breaches = (await Promise.all(pending.splice(0))).filter(Boolean);
  if (breaches.length) throw new Error(`Answers outside the machine API's contract (lib/api/contract.ts):\n${breaches.join("\n")}`);
});
