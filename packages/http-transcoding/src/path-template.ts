/**
 * google.api.http path templates (the grammar in google/api/http.proto):
 *
 *   Template = "/" Segments [ Verb ] ;   Segments = Segment { "/" Segment } ;
 *   Segment  = "*" | "**" | LITERAL | Variable ;   Variable = "{" FieldPath [ "=" Segments ] "}" ;
 *   Verb     = ":" LITERAL ;
 *
 * Matching works on the raw (still percent-encoded) path, split on "/" first and decoded per
 * segment afterwards, so an encoded "%2F" is never a separator.
 */

type Segment =
  | { kind: "literal"; value: string }
  | { kind: "one" } // *
  | { kind: "many" }; // ** (only last, possibly before a verb)

export interface Variable {
  /** Field path, e.g. ["user", "id"]. */
  fieldPath: string[];
  /** Index of the variable's first segment. */
  start: number;
  /** Index after its last segment; -1 when it ends with "**" (to the end of the path). */
  end: number;
}

export interface PathTemplate {
  /** The template as written, e.g. "/v1/users/{user.id}". */
  source: string;
  segments: Segment[];
  variables: Variable[];
  verb: string | undefined;
}

export class TemplateError extends Error {}

export function parseTemplate(source: string): PathTemplate {
  if (!source.startsWith("/")) throw new TemplateError(`template ${source}: must start with "/"`);
  let body = source.slice(1);
  let verb: string | undefined;
  // The verb is a ":" after the last "/" and outside braces.
  const lastSlash = body.lastIndexOf("/");
  const colon = body.indexOf(":", lastSlash + 1);
  if (colon >= 0 && !body.slice(colon).includes("}")) {
    verb = body.slice(colon + 1);
    body = body.slice(0, colon);
    if (!/^[^/{}*:]+$/.test(verb)) throw new TemplateError(`template ${source}: bad verb`);
  }
  const segments: Segment[] = [];
  const variables: Variable[] = [];
  let i = 0;
  const parseSegments = (stopAt: string): void => {
    for (;;) {
      if (body[i] === "{") {
        if (stopAt === "}") throw new TemplateError(`template ${source}: nested variable`);
        const close = body.indexOf("}", i);
        if (close < 0) throw new TemplateError(`template ${source}: unclosed "{"`);
        const inner = body.slice(i + 1, close);
        const eq = inner.indexOf("=");
        const fieldPath = (eq < 0 ? inner : inner.slice(0, eq)).split(".");
        if (fieldPath.some((part) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)))
          throw new TemplateError(`template ${source}: bad field path "${inner}"`);
        const start = segments.length;
        if (eq < 0) segments.push({ kind: "one" });
        else {
          const saved = body;
          body = inner.slice(eq + 1);
          const savedI = i;
          i = 0;
          parseSegments("}");
          body = saved;
          i = savedI;
        }
        const last = segments[segments.length - 1];
        variables.push({ fieldPath, start, end: last?.kind === "many" ? -1 : segments.length });
        i = close + 1;
      } else {
        let next = body.indexOf("/", i);
        if (next < 0) next = body.length;
        const text = body.slice(i, next);
        if (text === "") throw new TemplateError(`template ${source}: empty segment`);
        if (text === "*") segments.push({ kind: "one" });
        else if (text === "**") segments.push({ kind: "many" });
        else if (/[{}*]/.test(text)) throw new TemplateError(`template ${source}: bad segment "${text}"`);
        else segments.push({ kind: "literal", value: text });
        i = next;
      }
      if (i >= body.length) return;
      if (body[i] !== "/") throw new TemplateError(`template ${source}: expected "/" at ${i}`);
      i++;
    }
  };
  parseSegments("");
  const many = segments.findIndex((s) => s.kind === "many");
  if (many >= 0 && many !== segments.length - 1)
    throw new TemplateError(`template ${source}: "**" must be the last segment`);
  const seen = new Set<string>();
  for (const v of variables) {
    const key = v.fieldPath.join(".");
    if (seen.has(key)) throw new TemplateError(`template ${source}: variable ${key} bound twice`);
    seen.add(key);
  }
  return { source, segments, variables, verb };
}

/** A request path that no template may match: "." or ".." segments, raw or encoded. */
export class UnsafePathError extends Error {}

/** Splits a raw path (no query) into raw segments and a verb candidate. */
export function splitPath(rawPath: string): { segments: string[]; verb: string | undefined } {
  if (!rawPath.startsWith("/")) return { segments: [], verb: undefined };
  const segments = rawPath.slice(1).split("/");
  for (const segment of segments) {
    const decoded = safeDecode(segment);
    if (decoded === "." || decoded === "..")
      throw new UnsafePathError(`path segment "${segment}" is not allowed`);
  }
  const last = segments[segments.length - 1] ?? "";
  const colon = last.lastIndexOf(":");
  return { segments, verb: colon >= 0 ? last.slice(colon + 1) : undefined };
}

/**
 * Matches a split path; returns variable bindings (field path → decoded value) or undefined.
 * Single-segment variables decode everything ("%2F" becomes "/" inside the value); multi-segment
 * ones keep "%2F" encoded, as http.proto specifies.
 */
export function matchTemplate(
  template: PathTemplate,
  path: { segments: string[]; verb: string | undefined },
): Map<string, string> | undefined {
  let segments = path.segments;
  if (template.verb !== undefined) {
    if (path.verb !== template.verb) return undefined;
    const last = segments[segments.length - 1] ?? "";
    segments = [...segments.slice(0, -1), last.slice(0, last.length - template.verb.length - 1)];
  }
  const t = template.segments;
  const endsWithMany = t[t.length - 1]?.kind === "many";
  if (endsWithMany ? segments.length < t.length - 1 : segments.length !== t.length) return undefined;
  for (let k = 0; k < t.length; k++) {
    const pattern = t[k]!;
    if (pattern.kind === "many") break;
    const raw = segments[k];
    if (raw === undefined || raw === "") return undefined;
    if (pattern.kind === "literal" && safeDecode(raw) !== pattern.value) return undefined;
  }
  if (endsWithMany && segments.slice(t.length - 1).some((s) => s === "")) return undefined;
  const bindings = new Map<string, string>();
  for (const v of template.variables) {
    const parts = segments.slice(v.start, v.end < 0 ? undefined : v.end);
    const multi = v.end < 0 || v.end - v.start > 1;
    const value = multi ? parts.map(decodeKeepingSlash).join("/") : safeDecode(parts[0] ?? "");
    bindings.set(v.fieldPath.join("."), value);
  }
  return bindings;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape is matched literally, never thrown at the router
  }
}

function decodeKeepingSlash(segment: string): string {
  return segment
    .split(/(%2F)/i)
    .map((piece) => (/^%2F$/i.test(piece) ? piece : safeDecode(piece)))
    .join("");
}

/** How specific a template is, for ordering: literals beat variables, fixed length beats "**". */
export function specificity(template: PathTemplate): number[] {
  return [
    template.verb === undefined ? 0 : 1,
    template.segments.filter((s) => s.kind === "literal").length,
    template.segments.some((s) => s.kind === "many") ? 0 : 1,
    template.segments.length,
  ];
}
