import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import cors from "@fastify/cors";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import scalar from "@scalar/fastify-api-reference";
import { type Route, routesOf } from "@switchboard/http-transcoding";
import type { Logger, ServerTls } from "@switchboard/runtime";
import Fastify, { type FastifyError, type FastifyInstance, LogController } from "fastify";
import { type Backend, backendIndex } from "./backends.js";
import { sendError, sendStatus } from "./errors.js";
import { routeLimits } from "./route-limits.js";
import { connectProxy, proxyContext } from "./routes/connect-proxy.js";
import { downloadImage } from "./routes/download.js";
import { healthRoutes } from "./routes/health.js";
import { listUsersPage } from "./routes/list-page.js";
import { openApiRoutes } from "./routes/openapi.js";
import { restRoutes } from "./routes/rest.js";
import { subscribeSse } from "./routes/subscribe.js";
import { MULTIPART_LIMITS, uploadImage } from "./routes/upload.js";

export interface GatewayOptions {
  callTimeoutMs: number;
  uploadTimeoutMs: number;
  jsonBodyLimit: number;
  maxUploadBytes: number;
  rateLimitPerMinute: number;
  corsOrigins: string[];
  sseMaxPerClient: number;
  sseHeartbeatMs: number;
}

export const defaultOptions: GatewayOptions = {
  callTimeoutMs: 5_000,
  uploadTimeoutMs: 300_000,
  jsonBodyLimit: 1024 * 1024,
  maxUploadBytes: 200 * 1024 * 1024,
  rateLimitPerMinute: 6_000,
  corsOrigins: [],
  sseMaxPerClient: 8,
  sseHeartbeatMs: 15_000,
};

export interface GatewayDeps {
  logger: Logger;
  backends: Backend[];
  options?: Partial<GatewayOptions>;
  /** Serve HTTPS with this certificate; with a CA, require client certificates signed by it (mutual TLS). */
  tls?: ServerTls;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the gateway (REST, Connect/gRPC-Web, OpenAPI, docs, health) over the backends. Never listens. */
export async function build(deps: GatewayDeps): Promise<{ app: FastifyInstance; routes: Route[] }> {
  const options = { ...defaultOptions, ...deps.options };
  const app = Fastify({
    ...(deps.tls ? { https: httpsOptions(deps.tls) } : {}),
    loggerInstance: deps.logger,
    // X-Request-Id: the caller's when it is sane, else a new one; echoed, logged, sent on.
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: options.jsonBodyLimit,
    forceCloseConnections: true,
    // One line per request (the onResponse hook below) instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
  }) as unknown as FastifyInstance; // typed with the default logger interface that plugins expect
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      "http",
    );
  });

  // Every error is a google.rpc.Status: never an HTML page, a stack trace or plain text.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if ((error.statusCode ?? 500) >= 500) request.log.error({ err: error }, "request failed");
    return sendError(reply, error);
  });
  app.setNotFoundHandler((request, reply) =>
    sendStatus(reply, 404, Code.NotFound, `no route for ${request.url.split("?")[0]}`),
  );

  await app.register(cors, {
    origin: options.corsOrigins.includes("*") ? true : options.corsOrigins,
    exposedHeaders: ["x-request-id", "etag", "content-range", "retry-after"],
  });
  await app.register(rateLimit, {
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: Code.ResourceExhausted,
      message: `rate limit: ${context.max} requests per ${context.after}`,
      details: [],
    }),
  });
  // The upload route asks for its own file size from the route table (upload.ts).
  await app.register(multipart, { limits: MULTIPART_LIMITS });
  // A raw image body is handed to the upload route as a stream, never read into memory here.
  app.addContentTypeParser(/^image\//, (_request, payload, done) => done(null, payload));

  const routes = routesOf(deps.backends.flatMap((b) => b.services));
  const limits = routeLimits(options);
  restRoutes(app, {
    routes,
    backends: backendIndex(deps.backends),
    limits,
    special: {
      ListUsers: listUsersPage(),
      UploadImage: uploadImage(),
      DownloadImage: downloadImage(),
      Subscribe: subscribeSse({ heartbeatMs: options.sseHeartbeatMs, maxPerClient: options.sseMaxPerClient }),
    },
  });
  await app.register(fastifyConnectPlugin, {
    routes: (router) => connectProxy(router, deps.backends, limits),
    contextValues: proxyContext,
    readMaxBytes: 8 * 1024 * 1024,
  });
  healthRoutes(app, deps.backends);
  openApiRoutes(app, routes);
  await app.register(scalar, {
    routePrefix: "/docs",
    configuration: { url: "/openapi.json", withDefaultFonts: false },
  });
  return { app, routes };
}

/** The same rule as the gRPC services and the SOAP gateway: a CA means client certificates are required. */
function httpsOptions(tls: ServerTls) {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
}
