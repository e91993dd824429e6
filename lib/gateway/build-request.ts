import { AppError } from "@/lib/errors";

const PATH_PARAM = /\{([^{}]+)\}/g;
const BODYLESS = new Set(["GET", "DELETE", "HEAD", "OPTIONS"]);

function scalar(value: unknown, name: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  throw new AppError("validation_failed", `Argument ${name} must be a string, number or boolean to go in the URL.`, [{ path: `args.${name}`, message: "Must be a scalar." }]);
}

/**
 * The upstream request for an operation: args named in the path template go in the path
 * (encoded, so they cannot add segments, climb out of the path or add a query), the rest in the query string for
 * GET/DELETE/HEAD/OPTIONS and in a JSON body otherwise.
 */
export function buildUpstreamRequest(input: { baseUrl: string; method: string; path: string; args: Record<string, unknown> }) {
  const method = input.method.toUpperCase();
  const used = new Set<string>();
  const path = input.path.replace(PATH_PARAM, (_, name: string) => {
    if (!(name in input.args)) throw new AppError("validation_failed", `Argument ${name} is required by the operation's path.`, [{ path: `args.${name}`, message: "Required." }]);
    used.add(name);
    const value = scalar(input.args[name], name);
    // "." and ".." would survive encoding and be resolved by the URL, leaving the operation's path.
    if (value === "." || value === ".." || value === "")
      throw new AppError("validation_failed", `Argument ${name} cannot be empty, "." or "..".`, [{ path: `args.${name}`, message: "Not a valid path segment." }]);
    return encodeURIComponent(value);
  });
  const rest = Object.fromEntries(Object.entries(input.args).filter(([k, v]) => !used.has(k) && v !== undefined));
  const url = new URL(input.baseUrl.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`));
  let body: string | undefined;
  if (BODYLESS.has(method)) {
    for (const [k, v] of Object.entries(rest)) {
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, scalar(item, k));
      else url.searchParams.append(k, typeof v === "object" && v !== null ? JSON.stringify(v) : scalar(v, k));
    }
  } else body = JSON.stringify(rest);
  return { method, url: url.toString(), urlWithoutQuery: `${url.origin}${url.pathname}`, body };
}

/** The same description for an MCP upstream's tools/call (the tool's name there is the operation's name): what the call record attests. */
export function buildMcpRequest(input: { baseUrl: string; name: string; args: Record<string, unknown> }) {
  const url = new URL(input.baseUrl);
  return { method: "MCP tools/call", url: url.toString(), urlWithoutQuery: `${url.origin}${url.pathname}`, body: JSON.stringify({ name: input.name, arguments: input.args }) };
}
