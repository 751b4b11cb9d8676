import type { DescMethodUnary, Message } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import {
  matchRoute,
  type Route,
  type Match as RouteMatch,
  transcodeRequest,
  transcodeResponse,
  UnsafePathError,
} from "@switchboard/http-transcoding";
import type { FastifyInstance, FastifyReply, FastifyRequest, RequestPayload } from "fastify";
import type { Backend } from "../backends.js";
import { sendError, sendStatus } from "../errors.js";
import { clientGone, forwardedHeaders } from "../forwarded-headers.js";
import type { LimitTable, RouteLimits } from "../route-limits.js";
import { cutBodyAt, tooLarge } from "./body-cut.js";

/** What a route handler gets: the matched route, its bindings and the backend to call. */
export interface RouteCall {
  route: Route;
  bindings: Map<string, string>;
  backend: Backend;
  request: FastifyRequest;
  reply: FastifyReply;
  query: URLSearchParams;
  /** Headers for the backend call (request id, trace context, credentials). */
  headers: Headers;
  signal: AbortSignal;
  /** This route's deadline and body size, from the one table (route-limits.ts). */
  limits: RouteLimits;
}

/** Routes whose rpc is not unary: served by a handler of their own (upload, download, SSE, list page). */
export type SpecialHandlers = Record<string, (call: RouteCall) => Promise<unknown>>;

export interface RestOptions {
  routes: Route[];
  backends: Map<string, Backend>;
  special: SpecialHandlers;
  limits: LimitTable;
}

/**
 * The REST face: one catch-all under /v1 matched against the google.api.http templates (fastify's
 * router cannot express `:verb` and decodes %2F), each request transcoded into its rpc.
 */
export function restRoutes(app: FastifyInstance, options: RestOptions) {
  // Matched once, before the body is read (its limit is the route's), and used again by the handler.
  const matches = new WeakMap<FastifyRequest, Match>();
  const matchOf = (request: FastifyRequest): Match => {
    let match = matches.get(request);
    if (!match) {
      match = matchRequest(options.routes, request);
      matches.set(request, match);
    }
    return match;
  };
  /** The route's own JSON body limit (route-limits.ts), on top of fastify's for the catch-all. */
  const preParsing = async (request: FastifyRequest, _reply: FastifyReply, payload: RequestPayload) => {
    const match = matchOf(request);
    if (match.kind !== "found") return payload;
    const { bodyBytes, streamedBody } = options.limits.ofRoute(match.route);
    if (streamedBody) return payload; // the upload counts its file itself (upload.ts)
    if (Number(request.headers["content-length"] ?? 0) > bodyBytes) throw tooLarge(bodyBytes);
    return cutBodyAt(payload, bodyBytes);
  };
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const [rawPath = "", rawQuery = ""] = request.raw.url!.split("?", 2) as [string, string?];
    const match = matchOf(request);
    if (match.kind === "unsafe") return sendStatus(reply, 400, Code.InvalidArgument, match.message);
    if (match.kind === "not-found") return sendStatus(reply, 404, Code.NotFound, `no route for ${rawPath}`);
    if (match.kind === "method-not-allowed") {
      reply.header("allow", match.allow.join(", "));
      return sendStatus(reply, 405, Code.Unimplemented, `${request.method} is not allowed on ${rawPath}`);
    }
    const backend = options.backends.get(match.route.service.typeName)!;
    const call: RouteCall = {
      route: match.route,
      bindings: match.bindings,
      backend,
      request,
      reply,
      query: new URLSearchParams(rawQuery),
      headers: forwardedHeaders(request),
      signal: clientGone(reply),
      limits: options.limits.ofRoute(match.route),
    };
    const special = options.special[match.route.method.name];
    const contentType = request.headers["content-type"];
    if (match.route.body !== "" && !special && contentType && !/^application\/json\b/i.test(contentType))
      return sendStatus(
        reply,
        415,
        Code.InvalidArgument,
        `Content-Type must be application/json (got ${contentType})`,
      );
    try {
      if (special) return await special(call);
      if (match.route.method.methodKind !== "unary")
        return sendStatus(reply, 501, Code.Unimplemented, `${match.route.method.name} has no REST mapping`);
      return await unary(call);
    } catch (error) {
      return sendError(reply, error);
    }
  };
  // One catch-all per first path segment the templates use (/v1, /.well-known), never the root.
  for (const prefix of new Set(options.routes.map(firstSegment)))
    app.route({
      // Every method but OPTIONS (CORS preflight): one the path does not take is 405 with Allow.
      method: ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"],
      url: `/${prefix}/*`,
      // fastify's own cut: the largest any route takes; preParsing cuts each route at its own.
      bodyLimit: options.limits.largestJsonBody(options.routes),
      preParsing,
      handler,
    });
}

/** What a request is: a route and its bindings, no route, a wrong method, or a path refused outright. */
type Match = RouteMatch | { kind: "unsafe"; message: string };

function matchRequest(routes: Route[], request: FastifyRequest): Match {
  const rawPath = request.raw.url!.split("?", 1)[0]!;
  try {
    return matchRoute(routes, request.method === "HEAD" ? "GET" : request.method, rawPath);
  } catch (error) {
    if (error instanceof UnsafePathError) return { kind: "unsafe", message: error.message };
    throw error;
  }
}

/** A template's first segment, which must be a literal (a catch-all at the root would swallow /docs). */
function firstSegment(route: Route): string {
  const first = route.template.segments[0];
  if (first?.kind !== "literal")
    throw new Error(`${route.template.source}: a REST template must start with a literal segment`);
  return first.value;
}

async function unary(call: RouteCall) {
  const input = transcodeRequest<Message>(call.route, {
    bindings: call.bindings,
    query: call.query,
    // undefined: no body. A JSON `null` is a body, and not the object a body must be.
    body: call.request.body === undefined ? undefined : (call.request.body as never),
  });
  const response = await call.backend.transport.unary(
    call.route.method as DescMethodUnary,
    call.signal,
    call.limits.timeoutMs,
    call.headers,
    input,
  );
  return call.reply.type("application/json").send(transcodeResponse(call.route, response.message));
}
