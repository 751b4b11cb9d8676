import { describe, expect, it } from "vitest";
import { matchTemplate, parseTemplate, splitPath, TemplateError, UnsafePathError } from "./path-template.js";

/** Cases after grpc-gateway's runtime/pattern_test.go and Envoy's path_matcher_test.cc. */
const match = (template: string, path: string) => {
  const bindings = matchTemplate(parseTemplate(template), splitPath(path));
  return bindings ? Object.fromEntries(bindings) : undefined;
};

describe("path templates", () => {
  it.each([
    ["/v1/users", "/v1/users", {}],
    ["/v1/users/{id}", "/v1/users/42", { id: "42" }],
    ["/v1/users/{user.id}", "/v1/users/42", { "user.id": "42" }],
    ["/v1/{name=shelves/*}", "/v1/shelves/7", { name: "shelves/7" }],
    ["/v1/{name=shelves/*/books/*}", "/v1/shelves/7/books/9", { name: "shelves/7/books/9" }],
    ["/v1/*/books", "/v1/anything/books", {}],
    ["/v1/{path=**}", "/v1/a/b/c", { path: "a/b/c" }],
    ["/v1/files/{path=**}", "/v1/files/a", { path: "a" }],
    // "**" matches zero or more segments (http.proto).
    ["/v1/files/{path=**}", "/v1/files", { path: "" }],
    ["/v1/images/{image_id}:download", "/v1/images/abc:download", { image_id: "abc" }],
    ["/v1/{name=**}:undelete", "/v1/a/b:undelete", { name: "a/b" }],
    ["/v1/users/{id}", "/v1/users/a%20b", { id: "a b" }],
    // %2F is never a separator: in a single-segment variable it decodes into the value…
    ["/v1/users/{id}", "/v1/users/a%2Fb", { id: "a/b" }],
    // …and a multi-segment variable keeps it encoded, as http.proto specifies.
    ["/v1/{path=**}", "/v1/a%2Fb/c", { path: "a%2Fb/c" }],
    ["/v1/users/{id}", "/v1/users/%3Averb", { id: ":verb" }],
  ])("%s matches %s", (template, path, bindings) => {
    expect(match(template, path)).toEqual(bindings);
  });

  it.each([
    ["/v1/users/{id}", "/v1/users"],
    ["/v1/users/{id}", "/v1/users/"],
    ["/v1/users/{id}", "/v1/users/a/b"],
    ["/v1/users/{id}", "/v1/users/a%2Fb/c"],
    ["/v1/users", "/v1/user"],
    ["/v1/users", "/v1/users/"],
    ["/v1/users/{id}/x", "/v1/users//x"],
    ["/v1/images/{image_id}:download", "/v1/images/abc"],
    ["/v1/images/{image_id}:download", "/v1/images/abc:process"],
    ["/v1/{name=shelves/*}", "/v1/racks/7"],
    ["/v1/files/{path=**}", "/v1/files/a//b"],
  ])("%s does not match %s", (template, path) => {
    expect(match(template, path)).toBeUndefined();
  });

  it("refuses '.' and '..' segments, raw or percent-encoded", () => {
    for (const path of ["/v1/users/..", "/v1/../users", "/v1/users/%2E%2E", "/v1/users/.", "/v1/%2e/x"])
      expect(() => splitPath(path), path).toThrow(UnsafePathError);
  });

  it.each([
    "v1/users",
    "/v1/{id",
    "/v1/{a.b-c}",
    "/v1/**/x",
    "/v1/{id}/{id}",
    "/v1//users",
    "/v1/{a={b}}",
  ])("rejects the malformed template %s", (template) => {
    expect(() => parseTemplate(template)).toThrow(TemplateError);
  });

  it("parses variables, literals and the verb", () => {
    const t = parseTemplate("/v1/{name=shelves/*/books/*}/x:publish");
    expect(t.verb).toBe("publish");
    expect(t.variables).toEqual([{ fieldPath: ["name"], start: 1, end: 5 }]);
    expect(t.segments.map((s) => s.kind)).toEqual(["literal", "literal", "one", "literal", "one", "literal"]);
  });
});
