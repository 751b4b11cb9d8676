import { matchTemplate, splitPath } from "./path-template.js";
import type { HttpMethod, Route } from "./routes.js";

export type Match =
  | { kind: "found"; route: Route; bindings: Map<string, string> }
  /** The path exists under other methods: answer 405 with these in `Allow`. */
  | { kind: "method-not-allowed"; allow: HttpMethod[] }
  | { kind: "not-found" };

/** Finds the route for a method and raw path (query stripped). Throws UnsafePathError for "..". */
export function matchRoute(routes: readonly Route[], httpMethod: string, rawPath: string): Match {
  const path = splitPath(rawPath);
  const allow = new Set<HttpMethod>();
  for (const route of routes) {
    const bindings = matchTemplate(route.template, path);
    if (!bindings) continue;
    if (route.httpMethod === httpMethod) return { kind: "found", route, bindings };
    allow.add(route.httpMethod);
  }
  return allow.size > 0 ? { kind: "method-not-allowed", allow: [...allow] } : { kind: "not-found" };
}
