import type { z } from "zod";
import { can, type Permission } from "@/lib/auth/roles";
import { currentUser, findMembership, type MemberContext } from "@/lib/auth/member";
import { authenticateAgent, type AgentPrincipal } from "@/lib/agents/authenticate-agent";
import { env } from "@/lib/env";
import { readJsonBody } from "./body";
import { assertSameOrigin } from "./csrf";
import { AppError, validationError, validationFailed } from "@/lib/errors";
import { findUnstorable } from "@/lib/json/storable";
import { checkedParams, queryParams } from "./params";
import { answered, errorResponse, isLean, json, jsonResponse, requestIdFrom } from "./respond";

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type Schema = z.ZodType;
type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** What a handler may return: data (sent as 200 JSON), or a Response (see `reply`). */
export type HandlerResult = Response | object;

/** A Response that remembers, for the compiler only, the JSON it carries (see `reply`). */
export type Reply<T> = Response & { readonly answer?: T };

/** A JSON answer with a status other than 200. */
export function reply<T>(body: T, init: { status: number; headers?: Record<string, string> }): Reply<T> {
  return jsonResponse(body, { status: init.status, headers: { "cache-control": "no-store", ...init.headers } });
}

/**
 * A route handler as Next.js calls it. `types` never exists at run time: it carries what the
 * route reads and answers to the typed console client (components/console-api.ts).
 */
export type Endpoint<B, Q, R> = ((request: Request, context: RouteContext) => Promise<Response>) & {
  readonly types?: { body: B; query: Q; result: R };
};

type Input<B, Q> = {
  body?: B;
  query?: Q;
  /** The route repairs or reports, item by item, text Postgres cannot store (a batch of events, someone else's document); without it such a body is refused whole. */
  checksStorableItself?: true;
};

async function parseInput<B extends Schema | undefined, Q extends Schema | undefined>(
  request: Request,
  input: Input<B, Q>,
): Promise<{ body: Parsed<B>; query: Parsed<Q> }> {
  let body: unknown;
  let query: unknown;
  if (input.body) {
    const raw = await readJsonBody(request, env().MAX_BODY_BYTES);
    const parsed = input.body.safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error, "Request body");
    // What the handler gets (unknown keys already dropped): a NUL, a lone surrogate or
    // thousands-deep nesting would otherwise reach Postgres (a 500 after part of the work)
    // or a recursive walk (a stack overflow).
    const unstorable = input.checksStorableItself ? null : findUnstorable(parsed.data);
    if (unstorable) throw validationFailed([{ path: unstorable.path.join(".") || "(root)", message: unstorable.message }], "Request body");
    body = parsed.data;
  }
  if (input.query) {
    const parsed = input.query.safeParse(queryParams(new URL(request.url)));
    if (!parsed.success) throw validationError(parsed.error, "Query");
    query = parsed.data;
  }
  return { body: body as Parsed<B>, query: query as Parsed<Q> };
}

function toResponse(result: HandlerResult, requestId: string, lean: boolean): Response {
  if (result instanceof Response) {
    result.headers.set("x-request-id", requestId);
    return result;
  }
  return json(result, { requestId, lean });
}

async function flatParams(context: RouteContext): Promise<Record<string, string>> {
  const params = await context.params;
  return checkedParams(Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v])));
}

type BaseArgs<B, Q> = { request: Request; requestId: string; params: Record<string, string>; body: Parsed<B>; query: Parsed<Q> };

/**
 * The one request pipeline: request id → authenticate (before any input is read) →
 * parse input → handler → response, with every error mapped by `errorResponse`.
 */
function route<B extends Schema | undefined, Q extends Schema | undefined, Who extends object, R extends HandlerResult>(
  input: Input<B, Q>,
  authenticate: (request: Request, params: Record<string, string>) => Promise<Who>,
  handler: (args: BaseArgs<B, Q> & Who) => Promise<R>,
): Endpoint<B, Q, R> {
  return async (request: Request, context: RouteContext) => {
    const requestId = requestIdFrom(request);
    try {
      const params = await flatParams(context);
      const who = await authenticate(request, params);
      const { body, query } = await parseInput(request, input);
      return answered(request, toResponse(await handler({ request, requestId, params, body, query, ...who }), requestId, isLean(request)));
    } catch (error) {
      return answered(request, errorResponse(error, requestId, isLean(request)));
    }
  };
}

/** A route anyone may call (health, JWKS, OpenAPI). */
export function publicRoute<B extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, R extends HandlerResult = HandlerResult>(
  input: Input<B, Q>,
  handler: (args: BaseArgs<B, Q>) => Promise<R>,
) {
  return route(input, async () => ({}), handler);
}

/**
 * A machine-API route for agents: verifies the bearer token, then parses input.
 * The agent's tenant comes from its token, never from the request.
 */
export function agentRoute<B extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, R extends HandlerResult = HandlerResult>(
  input: Input<B, Q>,
  handler: (args: BaseArgs<B, Q> & { agent: AgentPrincipal }) => Promise<R>,
) {
  return route(input, async (request) => ({ agent: await authenticateAgent(request.headers.get("authorization")) }), handler);
}

/**
 * A console route under `/api/console/t/[tenant]/…` for signed-in members: 401 without
 * a session, 404 when not a member of that tenant, 403 without the permission.
 */
export function memberRoute<B extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, R extends HandlerResult = HandlerResult>(
  input: Input<B, Q> & { permission: Permission },
  handler: (args: BaseArgs<B, Q> & { member: MemberContext }) => Promise<R>,
) {
  return route(
    input,
    async (request, params) => {
      assertSameOrigin(request);
      const user = await currentUser();
      if (!user) throw new AppError("unauthenticated", "Sign in first.");
      const member = params.tenant ? await findMembership(user, params.tenant) : null;
      if (!member) throw new AppError("not_found", "Not found.");
      if (!can(member.role, input.permission)) throw new AppError("forbidden", "Your role does not allow this.");
      return { member };
    },
    handler,
  );
}
