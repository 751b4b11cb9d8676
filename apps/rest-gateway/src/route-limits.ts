import type { DescMethod } from "@bufbuild/protobuf";
import type { Route } from "@switchboard/http-transcoding";

/** What one rpc may cost through the gateway: how long its backend calls may take and how large a body it takes. */
export interface RouteLimits {
  /** The deadline sent with each backend call the route makes, in ms. */
  timeoutMs: number;
  /** The largest request body, in bytes: JSON, or the uploaded file (a body-less route ignores one). */
  bodyBytes: number;
  /** A subscription or session: its stream lasts as long as its client, with no deadline of its own. */
  openEnded: boolean;
  /** The body is a file streamed to the backend, never read into memory: bodyBytes counts the file. */
  streamedBody: boolean;
}

export interface LimitSettings {
  callTimeoutMs: number;
  uploadTimeoutMs: number;
  jsonBodyLimit: number;
  maxUploadBytes: number;
}

/** The table, read by rpc (the Connect proxy) or by REST route (which also knows whether it takes a body). */
export interface LimitTable {
  ofRpc(method: DescMethod): RouteLimits;
  ofRoute(route: Route): RouteLimits;
  /** The largest JSON body any REST route takes: the catch-all routes' own fastify `bodyLimit`. */
  largestJsonBody(routes: Route[]): number;
}

const KiB = 1024;

/**
 * The one table of per-rpc limits: every rpc takes CALL_TIMEOUT_MS and JSON_BODY_LIMIT unless
 * listed here. The REST routes (RouteCall.limits, the body cut in rest.ts) and the Connect proxy
 * (its deadlines) read their limits from it and nowhere else.
 */
export function routeLimits(settings: LimitSettings): LimitTable {
  // Credentials are a few hundred bytes: a bigger body is abuse, refused before it is read.
  const small = { bodyBytes: Math.min(16 * KiB, settings.jsonBodyLimit) };
  const byRpc: Record<string, Partial<RouteLimits>> = {
    // Bytes move for as long as the file takes; the body is the file, streamed (never held whole).
    UploadImage: {
      timeoutMs: settings.uploadTimeoutMs,
      bodyBytes: settings.maxUploadBytes,
      streamedBody: true,
    },
    DownloadImage: { timeoutMs: settings.uploadTimeoutMs },
    // Sessions and subscriptions last as long as their client wants (the client's deadline, if any).
    Subscribe: { openEnded: true },
    UserSession: { openEnded: true },
    ProcessImageStream: { openEnded: true },
    Login: small,
    Refresh: small,
    Logout: small,
    ChangePassword: small,
  };
  const defaults: RouteLimits = {
    timeoutMs: settings.callTimeoutMs,
    bodyBytes: settings.jsonBodyLimit,
    openEnded: false,
    streamedBody: false,
  };
  const ofRpc = (method: DescMethod): RouteLimits => ({ ...defaults, ...byRpc[method.name] });
  return {
    ofRpc,
    ofRoute: (route) => ofRpc(route.method),
    largestJsonBody: (routes) =>
      Math.max(
        0,
        ...routes.map((r) => ofRpc(r.method)).flatMap((l) => (l.streamedBody ? [] : [l.bodyBytes])),
      ),
  };
}
