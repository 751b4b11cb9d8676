import type { Route } from "@switchboard/http-transcoding";

/** What one REST route may cost: how long its backend calls may take and how large a body it takes. */
export interface RouteLimits {
  /** The deadline sent with each backend call the route makes, in ms. */
  timeoutMs: number;
  /** The largest request body, in bytes: JSON, or the uploaded file (0: the route takes none). */
  bodyBytes: number;
}

export interface LimitSettings {
  callTimeoutMs: number;
  uploadTimeoutMs: number;
  jsonBodyLimit: number;
  maxUploadBytes: number;
}

/**
 * The one table of per-route limits, by rpc: every route takes CALL_TIMEOUT_MS and JSON_BODY_LIMIT
 * unless listed here. The routes read their limits from it (RouteCall.limits) and nowhere else; an
 * event stream's live call has no deadline at all (it lasts as long as its client), which is not
 * a limit but what a subscription is.
 */
export function routeLimits(settings: LimitSettings): (route: Route) => RouteLimits {
  const byRpc: Record<string, Partial<RouteLimits>> = {
    // Bytes move for as long as the file takes; the body is the file, streamed (never held whole).
    UploadImage: { timeoutMs: settings.uploadTimeoutMs, bodyBytes: settings.maxUploadBytes },
    DownloadImage: { timeoutMs: settings.uploadTimeoutMs },
  };
  const defaults: RouteLimits = { timeoutMs: settings.callTimeoutMs, bodyBytes: settings.jsonBodyLimit };
  return (route) => ({
    ...defaults,
    ...(route.body === "" ? { bodyBytes: 0 } : {}),
    ...byRpc[route.method.name],
  });
}
