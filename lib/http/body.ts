import { AppError } from "@/lib/errors";
import { LeanRequest } from "./lean-request";
import { storableText } from "./params";

/**
 * Reads a JSON body with a size cap: 415 for another content type, 413 past the cap
 * (checked on Content-Length and again while streaming), 400 for malformed JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new AppError("unsupported_media_type", "Send the body as application/json.");
  }
  const text = await readTextCapped(request, maxBytes);
  if (text.trim() === "") throw new AppError("malformed_json", "The request body is empty; send a JSON document.");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("malformed_json", `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A form body (application/x-www-form-urlencoded) with a size cap. A value with a NUL or
 * ill-formed Unicode (`%00`, `%ED%A0%80` decode to them) names nothing stored: 400.
 */
export async function readFormCapped(request: Request, maxBytes: number): Promise<URLSearchParams> {
  const form = new URLSearchParams(await readTextCapped(request, maxBytes));
  for (const [name, value] of form) {
    if (!storableText(name) || !storableText(value)) {
      throw new AppError("validation_failed", "The form has a value with a NUL character or ill-formed Unicode.");
    }
  }
  return form;
}

export async function readTextCapped(request: Request, maxBytes: number): Promise<string> {
  return (await readBytesCapped(request, maxBytes)).toString("utf8");
}

/** The raw body, refusing (413) past `maxBytes` by Content-Length and again while streaming. */
export async function readBytesCapped(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  // The lean server read the body before calling the route (./lean-request.ts).
  if (request instanceof LeanRequest) {
    if (request.bytes.length > maxBytes) throw tooLarge(maxBytes);
    return request.bytes;
  }
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const tooLarge = (maxBytes: number) =>
  new AppError("payload_too_large", `The request body exceeds ${Math.floor(maxBytes / 1024 / 1024)} MB.`);
