/**
 * The browser's client for Gatehouse's console routes. Paths, parameters, bodies and answers
 * are typed from the route modules themselves (components/console-routes.ts), so a component
 * cannot call a route that does not exist, send a body its schema refuses, or read a field
 * the route does not return.
 */
import type { z } from "zod";
import type { ConsoleRoutes } from "./console-routes";

/** A failed call; the message is the API's own, with validation details appended. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Path = keyof ConsoleRoutes;

/** The paths that export a handler for this method. */
export type ConsolePath<M extends Method> = { [P in Path]: M extends keyof ConsoleRoutes[P] ? P : never }[Path];

/** What `memberRoute`/`publicRoute` recorded about the handler (lib/http/route.ts `Endpoint`). */
type Types<M extends Method, P extends Path> =
  ConsoleRoutes[P] extends { [K in M]: { types?: infer T extends { body: unknown; query: unknown; result: unknown } } } ? T : never;
type SchemaInput<S> = S extends z.ZodType ? z.input<S> : undefined;

/** The JSON a value becomes on the wire: dates and anything else with toJSON as what it returns. */
export type Json<T> = T extends { toJSON(): infer J }
  ? J
  : T extends readonly (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

/** The body a handler answered with: `reply(body, …)` keeps its type; a bare Response (a download) is unknown. */
type Answered<R> = R extends Response & { readonly answer?: infer T } ? T : R;

/** The answer of `method path`, as the browser receives it. */
export type ConsoleAnswer<M extends Method, P extends ConsolePath<M>> = Json<Answered<Types<M, P>["result"]>>;
/** The body `method path` accepts. */
export type ConsoleBody<M extends Method, P extends ConsolePath<M>> = SchemaInput<Types<M, P>["body"]>;

/** `/t/[tenant]/runs/[runId]` → { tenant: string; runId: string }. */
type ParamsOf<P extends string> = P extends `${string}[${infer Name}]${infer Rest}` ? { [K in Name]: string } & ParamsOf<Rest> : unknown;

type Options<M extends Method, P extends ConsolePath<M>> = (P extends `${string}[${string}` ? { params: ParamsOf<P> } : { params?: undefined }) &
  (ConsoleBody<M, P> extends undefined ? { body?: undefined } : { body: ConsoleBody<M, P> }) &
  (SchemaInput<Types<M, P>["query"]> extends undefined ? { query?: undefined } : { query?: SchemaInput<Types<M, P>["query"]> });

type OptionsArg<M extends Method, P extends ConsolePath<M>> = object extends Options<M, P> ? [options?: Options<M, P>] : [options: Options<M, P>];

/**
 * The URL of a console route, for links (a download) and for `consoleApi`: `/api/console` +
 * the path with each `[param]` filled in and escaped, + the query without empty values.
 */
export function consoleUrl<P extends Path>(path: P, ...[params, query]: P extends `${string}[${string}` ? [params: ParamsOf<P>, query?: object] : [params?: undefined, query?: object]): string {
  const values = (params ?? {}) as Record<string, string>;
  const filled = path.replace(/\[(\w+)\]/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`consoleUrl: no value for [${name}] in ${path}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  const qs = search.toString();
  // eslint-disable-next-line no-restricted-syntax -- the one place console URLs are built
  return `/api/console${filled}${qs ? `?${qs}` : ""}`;
}

/**
 * Calls a console route: `consoleApi("POST", "/t/[tenant]/agents", { params: { tenant: slug }, body })`.
 * Resolves to the route's answer; rejects with an ApiError carrying the API's message.
 */
export async function consoleApi<M extends Method, P extends ConsolePath<M>>(method: M, path: P, ...[options]: OptionsArg<M, P>): Promise<ConsoleAnswer<M, P>> {
  const { params, body, query } = (options ?? {}) as { params?: Record<string, string>; body?: unknown; query?: object };
  const response = await fetch((consoleUrl as (path: string, params?: object, query?: object) => string)(path, params, query), {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await response.text();
  const data = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const details = Array.isArray(error?.details)
      ? (error.details as { path: string; message: string }[]).map((d) => `${d.path}: ${d.message}`).join("; ")
      : "";
    throw new ApiError(
      [error?.message ?? `Request failed (${response.status})`, details].filter(Boolean).join(" "),
      response.status,
      error?.code ?? "unknown",
      error?.details,
    );
  }
  return data as ConsoleAnswer<M, P>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
