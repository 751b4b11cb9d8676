import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { allowsAnonymous } from "./access.js";
import { type Comments, Descriptions, summaryOf } from "./descriptions.js";
import { type Schema, SchemaBuilder } from "./json-schema.js";
import { acceptsText } from "./query-value.js";
import type { Route } from "./routes.js";
import { isRequired } from "./validate-rules.js";

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
  /**
   * Replaces parts of a generated operation, for routes the gateway serves specially (a multipart
   * upload, a server-sent event stream, a binary download).
   */
  operation?: (route: Route, generated: Schema) => Schema;
  /** The contracts' doc comments, by full name; by default `@switchboard/proto/comments.js`. */
  comments?: Comments;
}

const STATUS_REF = { $ref: "#/components/schemas/google.rpc.Status" };
const STATUS_JSON = { "application/json": { schema: STATUS_REF } };

/** The security scheme every operation but the contract's `allow_anonymous` rpcs requires. */
export const BEARER_AUTH = "bearerAuth";

/** The answers of a secured operation when the caller is not known (401) or not allowed (403). */
const ACCESS_RESPONSES = {
  "401": {
    description: "UNAUTHENTICATED: no bearer token, or an invalid or expired one",
    headers: {
      "WWW-Authenticate": { description: "`Bearer` (RFC 6750)", schema: { type: "string" } },
    },
    content: STATUS_JSON,
  },
  "403": { description: "PERMISSION_DENIED: the caller may not do this", content: STATUS_JSON },
};

/** An OpenAPI 3.1 document for the routes: the same table the gateway serves from. */
export function openApiDocument(routes: readonly Route[], options: OpenApiOptions): Schema {
  const schemas = new SchemaBuilder(new Descriptions(options.comments));
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.template.source);
    const generated = operationOf(route, schemas);
    paths[path] ??= {};
    const operation = options.operation ? options.operation(route, generated) : generated;
    paths[path][route.httpMethod.toLowerCase()] = withSecurity(route, operation);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: options.title,
      version: options.version,
      ...(options.description ? { description: options.description } : {}),
    },
    tags: tagsOf(routes, schemas.descriptions),
    paths,
    components: {
      schemas: { ...schemas.components, ...statusSchemas() },
      securitySchemes: {
        [BEARER_AUTH]: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "An access token from `POST /v1/auth/login` (`accessToken`), sent as `Authorization: Bearer <token>`.",
        },
      },
    },
  };
}

/**
 * The bearer requirement and its 401/403 answers on every operation, except the rpcs the contract
 * marks `allow_anonymous`: those say `security: []` (no token needed; one that is sent is still checked).
 */
function withSecurity(route: Route, operation: Schema): Schema {
  if (allowsAnonymous(route.method)) return { ...operation, security: [] };
  return {
    ...operation,
    security: [{ [BEARER_AUTH]: [] }],
    responses: { ...(operation.responses as Schema), ...ACCESS_RESPONSES },
  };
}

/** One tag per service (the operations' grouping), described by the service's comment. */
function tagsOf(routes: readonly Route[], descriptions: Descriptions): Schema[] {
  const services = [...new Set(routes.map((route) => route.method.parent))];
  return services.map((service) => {
    const description = descriptions.service(service);
    return { name: service.name, ...(description ? { description } : {}) };
  });
}

function operationOf(route: Route, schemas: SchemaBuilder): Schema {
  const input = route.method.input;
  const descriptions = schemas.descriptions;
  const bound = new Set(route.template.variables.map((v) => v.fieldPath.join(".")));
  const parameters: Schema[] = route.template.variables.map((v) => {
    const field = fieldAt(input, v.fieldPath);
    return {
      name: parameterName(v.fieldPath),
      description: descriptions.field(field) ?? `The request's \`${v.fieldPath.join(".")}\`.`,
      in: "path",
      required: true,
      schema: schemas.fieldSchema(field),
    };
  });
  if (route.body !== "*")
    for (const [name, field] of queryFields(input, "", 2))
      if (!bound.has(name) && name.split(".")[0] !== route.body) {
        const description = descriptions.field(field);
        parameters.push({
          name,
          in: "query",
          ...(description ? { description } : {}),
          required: !name.includes(".") && isRequired(field),
          schema: schemas.fieldSchema(field),
          ...(field.fieldKind === "list" ? { style: "form", explode: true } : {}),
        });
      }
  // The rpc's comment: its first sentence as the summary, all of it (and the gRPC name) as the description.
  const rpc = `${route.method.parent.typeName}/${route.method.name}`;
  const comment = descriptions.method(route.method);
  const operation: Schema = {
    operationId: `${route.method.parent.name}_${route.method.name}`,
    tags: [route.method.parent.name],
    summary: comment ? summaryOf(comment) : `${route.method.parent.typeName}.${route.method.name}`,
    description: comment ? `${comment}\n\ngRPC: \`${rpc}\`` : `gRPC: \`${rpc}\``,
    parameters,
    responses: {
      "200": {
        description: "OK",
        content: { "application/json": { schema: responseSchema(route, schemas) } },
      },
      default: {
        description: "An error: google.rpc.Status",
        content: { "application/json": { schema: STATUS_REF } },
      },
    },
  };
  if (route.body !== "") {
    const top = new Set([...bound].filter((b) => !b.includes(".")));
    const bodyField = input.fields.find((f) => f.name === route.body);
    const schema =
      route.body === "*"
        ? schemas.messageSchema(input, top)
        : bodyField?.fieldKind === "message"
          ? bodySchemaWithout(schemas, bodyField.message, route)
          : bodyField
            ? schemas.fieldSchema(bodyField)
            : {};
    // A request with no fields at all is the same with or without a body (the transcoder reads a
    // missing body as {}): the document must not call an empty POST wrong when the gateway takes it.
    const required = !(route.body === "*" && input.fields.length === 0);
    operation.requestBody = { required, content: { "application/json": { schema } } };
  }
  return operation;
}

/**
 * OpenAPI path parameters are plain names: a nested binding such as `{user.id}` is written
 * `{user_id}` (tools treat a dot in a name as attribute access), described as the field it binds.
 */
function parameterName(fieldPath: string[]): string {
  return fieldPath.join("_");
}

function openApiPath(template: string): string {
  return template.replace(
    /\{([^}=]+)(=[^}]*)?\}/g,
    (_, name: string) => `{${parameterName(name.split("."))}}`,
  );
}

/** A body field's schema without the fields the path binds inside it (e.g. `user.id`). */
function bodySchemaWithout(schemas: SchemaBuilder, message: DescMessage, route: Route): Schema {
  const inside = new Set(
    route.template.variables
      .filter((v) => v.fieldPath[0] === route.body && v.fieldPath.length === 2)
      .map((v) => v.fieldPath[1]!),
  );
  return inside.size === 0 ? schemas.ref(message) : schemas.messageSchema(message, inside);
}

function responseSchema(route: Route, schemas: SchemaBuilder): Schema {
  if (route.responseBody === "") return schemas.ref(route.method.output);
  const field = route.method.output.fields.find((f) => f.name === route.responseBody);
  return field ? schemas.fieldSchema(field) : schemas.ref(route.method.output);
}

/** Fields settable from a query parameter, by dotted proto name, down to `depth` levels. */
function queryFields(message: DescMessage, prefix: string, depth: number): [string, DescField][] {
  const out: [string, DescField][] = [];
  for (const field of message.fields) {
    if (acceptsText(field)) out.push([prefix + field.name, field]);
    else if (field.fieldKind === "message" && depth > 1)
      out.push(...queryFields(field.message, `${prefix}${field.name}.`, depth - 1));
  }
  return out;
}

function fieldAt(message: DescMessage, path: string[]): DescField {
  let field: DescField | undefined;
  let current: DescMessage | undefined = message;
  for (const name of path) {
    field = current?.fields.find((f) => f.name === name);
    current = field?.fieldKind === "message" ? field.message : undefined;
  }
  if (!field) throw new Error(`no field ${path.join(".")} in ${message.typeName}`);
  return field;
}

/** google.rpc.Status as the gateway writes it, with the BadRequest detail spelled out. */
function statusSchemas(): Record<string, Schema> {
  return {
    "google.rpc.Status": {
      type: "object",
      description: "The error body of every non-2xx answer (code: google.rpc.Code).",
      required: ["code", "message"],
      properties: {
        code: { type: "integer", format: "int32", minimum: 0, maximum: 16 },
        message: { type: "string" },
        details: { type: "array", items: { $ref: "#/components/schemas/google.protobuf.Any" } },
      },
    },
    "google.protobuf.Any": {
      type: "object",
      required: ["@type"],
      properties: { "@type": { type: "string" } },
      additionalProperties: true,
    },
  };
}
