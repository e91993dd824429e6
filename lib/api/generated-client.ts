import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { openApiDocument } from "./contract";

/** Where the types generated from the OpenAPI document go (git-ignored): what a customer's codegen would produce. */
export const GENERATED_SCHEMA = path.join(".data", "openapi-client", "schema.d.ts");

/** Generates TypeScript types for the machine API from /api/v1/openapi.json's document, as openapi-typescript users do. */
export async function writeGeneratedSchema(file = GENERATED_SCHEMA): Promise<string> {
  const ast = await openapiTS(openApiDocument() as unknown as Parameters<typeof openapiTS>[0]);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, astToString(ast));
  return file;
}
