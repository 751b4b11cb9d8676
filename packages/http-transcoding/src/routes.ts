import { type DescMethod, type DescService, getOption, hasOption } from "@bufbuild/protobuf";
import { http } from "@switchboard/proto/google/api/annotations_pb.js";
import type { HttpRule } from "@switchboard/proto/google/api/http_pb.js";
import { type PathTemplate, parseTemplate, specificity } from "./path-template.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One REST route: an HTTP method and path template bound to an rpc (a google.api.http binding). */
export interface Route {
  httpMethod: HttpMethod;
  template: PathTemplate;
  /** "" (no body), "*" (the whole request) or a top-level field name. */
  body: string;
  /** "" (the whole response) or a top-level field of the response. */
  responseBody: string;
  service: DescService;
  method: DescMethod;
}

/**
 * Every route the services' `google.api.http` options declare (additional_bindings included),
 * most specific first. Nothing is listed by hand: annotating an rpc adds its route.
 */
export function routesOf(services: readonly DescService[]): Route[] {
  const routes: Route[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      if (!hasOption(method, http)) continue;
      const rule = getOption(method, http);
      for (const binding of [rule, ...rule.additionalBindings])
        routes.push(routeOf(service, method, binding));
    }
  }
  return routes.sort((a, b) => compare(specificity(b.template), specificity(a.template)));
}

export function routeOf(service: DescService, method: DescMethod, rule: HttpRule): Route {
  const { pattern } = rule;
  if (pattern.case === undefined || pattern.case === "custom")
    throw new Error(
      `${method.parent.typeName}.${method.name}: only get/put/post/patch/delete rules are supported`,
    );
  const template = parseTemplate(pattern.value);
  for (const variable of template.variables) fieldAt(method, variable.fieldPath);
  if (rule.body !== "" && rule.body !== "*" && !method.input.fields.some((f) => f.name === rule.body))
    throw new Error(`${method.name}: body "${rule.body}" is not a field of ${method.input.typeName}`);
  return {
    httpMethod: pattern.case.toUpperCase() as HttpMethod,
    template,
    body: rule.body,
    responseBody: rule.responseBody,
    service,
    method,
  };
}

/** Checks that a template variable names a (nested) field of the request; throws if not. */
function fieldAt(method: DescMethod, path: string[]): void {
  let message = method.input;
  for (const [i, name] of path.entries()) {
    const field = message.fields.find((f) => f.name === name);
    if (!field)
      throw new Error(`${method.name}: "${path.join(".")}" is not a field of ${method.input.typeName}`);
    if (i < path.length - 1) {
      if (field.fieldKind !== "message") throw new Error(`${method.name}: "${name}" is not a message field`);
      message = field.message;
    } else if (field.fieldKind !== "scalar" && field.fieldKind !== "enum")
      throw new Error(`${method.name}: path variable "${path.join(".")}" must be a scalar or enum`);
  }
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
