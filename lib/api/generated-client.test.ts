/**
 * A client generated from the OpenAPI document (openapi-typescript, used through
 * openapi-fetch, as a customer would) type-checks an agent that uses every machine
 * endpoint (lib/api/client-check/agent.ts), and that agent names every path the document has.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./contract";
import { writeGeneratedSchema } from "./generated-client";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

describe("a client generated from the OpenAPI document", () => {
  it("type-checks an agent that uses every machine endpoint", async () => {
    await writeGeneratedSchema();
    const result = await promisify(execFile)(process.execPath, [tsc, "-p", "lib/api/client-check/tsconfig.json"]).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe("");
  }, 120_000);

  it("is exercised on every path of the document", () => {
    const agent = readFileSync("lib/api/client-check/agent.ts", "utf8");
    const missing = Object.keys(openApiDocument().paths).filter((path) => !agent.includes(`"${path}"`));
    expect(missing).toEqual([]);
  });
});
