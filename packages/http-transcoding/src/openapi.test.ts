import { Validator } from "@seriousme/openapi-schema-validator";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { describe, expect, it } from "vitest";
import type { Schema } from "./json-schema.js";
import { openApiDocument } from "./openapi.js";
import { routesOf } from "./routes.js";

const routes = routesOf([UserService, AuthService, ImageService, NotificationService]);
// biome-ignore lint/suspicious/noExplicitAny: a JSON document walked by path in assertions
const doc = openApiDocument(routes, { title: "t", version: "1" }) as any;

describe("OpenAPI from the route table", () => {
  it("is a valid OpenAPI 3.1 document (a standard validator accepts it)", async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("has one operation per route, with the path variables as required path parameters", () => {
    const count = Object.values(doc.paths).reduce(
      (n: number, ops) => n + Object.keys(ops as object).length,
      0,
    );
    expect(count).toBe(routes.length);
    expect(doc.paths["/v1/users/{user_id}"].patch.parameters[0]).toMatchObject({
      name: "user_id",
      in: "path",
      required: true,
    });
  });

  it("never repeats a path parameter in a body schema", () => {
    const patchBody = doc.paths["/v1/users/{user_id}"].patch.requestBody.content["application/json"].schema;
    expect(Object.keys(patchBody.properties)).not.toContain("id");
    const processBody =
      doc.paths["/v1/images/{image_id}:process"].post.requestBody.content["application/json"].schema;
    expect(Object.keys(processBody.properties)).toEqual(["operations"]);
  });

  it("requires a body except for a request with no fields, which the transcoder takes without one", () => {
    expect(doc.paths["/v1/users"].post.requestBody.required).toBe(true);
    expect(doc.paths["/v1/auth/mqtt-credentials"].post.requestBody.required).toBe(false);
  });

  it("lists query parameters for the fields not in the path or body, and none for body '*'", () => {
    const names = doc.paths["/v1/users"].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(["query", "page_size", "page_token"]);
    expect(doc.paths["/v1/users"].post.parameters).toEqual([]);
    const patchQuery = doc.paths["/v1/users/{user_id}"].patch.parameters.map((p: { name: string }) => p.name);
    expect(patchQuery).toEqual(["user_id", "update_mask", "expected_version"]);
  });

  it("states the contract's protovalidate rules: uuid, lengths, bounds, required fields, ignore-if-zero", () => {
    const create = doc.paths["/v1/users"].post.requestBody.content["application/json"].schema;
    expect(create.required).toEqual(["name", "email"]);
    expect(create.properties.name).toMatchObject({ type: ["string", "null"], minLength: 1, maxLength: 100 });
    expect(create.properties.email).toMatchObject({ format: "email" });
    expect(create.properties.requestId).toMatchObject({
      anyOf: [{ anyOf: [{ const: "" }, { format: "uuid" }] }, { type: "null" }],
    });
    expect(doc.paths["/v1/users/{id}"].get.parameters[0].schema).toMatchObject({ format: "uuid" });
    const list = doc.paths["/v1/users"].get.parameters.find((p: { name: string }) => p.name === "page_size");
    expect(list.schema).toMatchObject({ minimum: 0, maximum: 1000 });
  });

  it("allows null for every field, which proto3 JSON reads as the field's default", () => {
    const send = doc.paths["/v1/notifications"].post.requestBody.content["application/json"].schema;
    expect(send.properties.data).toMatchObject({ type: ["object", "null"] });
  });

  it("describes int64 as strings, enums by name, timestamps as date-time and errors as google.rpc.Status", () => {
    const user = doc.components.schemas["switchboard.user.v1.User"].properties;
    expect(user.version).toMatchObject({ type: ["string", "null"], format: "int64" });
    const { description: _, ...createTime } = user.createTime;
    expect(createTime).toEqual({ type: ["string", "null"], format: "date-time" });
    expect(doc.paths["/v1/users/{id}"].get.responses.default.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/google.rpc.Status",
    });
  });

  it("requires a bearer token on every operation but the allow_anonymous rpcs, with 401 and 403 documented", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    const open: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(
        operations as Record<string, { security: unknown[]; responses: object }>,
      )) {
        if (operation.security.length === 0) {
          open.push(`${method.toUpperCase()} ${path}`);
          continue;
        }
        expect(operation.security).toEqual([{ bearerAuth: [] }]);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["401", "403"]));
      }
    expect(open.sort()).toEqual([
      "GET /.well-known/jwks.json",
      "POST /v1/auth/login",
      "POST /v1/auth/logout",
      "POST /v1/auth/refresh",
      "POST /v1/users",
    ]);
  });

  it("answers Login and Refresh with the tokens object itself (response_body)", () => {
    const login = doc.paths["/v1/auth/login"].post.responses["200"].content["application/json"].schema;
    // null only if the service left the field unset (proto3 JSON of an absent message).
    expect(login).toEqual({
      anyOf: [{ $ref: "#/components/schemas/switchboard.auth.v1.Tokens" }, { type: "null" }],
    });
  });

  it("describes messages and their fields with the contract's comments", () => {
    const user = doc.components.schemas["switchboard.user.v1.User"];
    expect(user.description).toMatch(/^A person who uses Switchboard\./);
    expect(user.properties.id.description).toBe(
      "Server-assigned identifier, a UUID (lowercase, 36 characters).",
    );
    // A message field: its comment beside the reference (JSON Schema 2020-12 allows siblings of $ref).
    expect(doc.components.schemas["switchboard.image.v1.GetImageResponse"].properties.image).toEqual({
      anyOf: [{ $ref: "#/components/schemas/switchboard.image.v1.Image" }, { type: "null" }],
      description: "The image, with its variants.",
    });
    // A list of messages: the field's comment beside the array of references.
    const page = doc.components.schemas["switchboard.image.v1.ListImagesResponse"].properties.images;
    expect(page).toMatchObject({ description: "The images, newest first.", type: ["array", "null"] });
    // A query parameter: the field's comment on the parameter, the type's own note on its schema.
    const mask = doc.paths["/v1/users/{user_id}"].patch.parameters.find(
      (p: { name: string }) => p.name === "update_mask",
    );
    expect(mask.description).toMatch(/^The fields to change: /);
    expect(mask.schema.description).toBe("Comma-separated lowerCamelCase field paths.");
  });

  it("documents every property of every contract schema, as the contract documents every field", () => {
    const undocumented: string[] = [];
    const schemas = doc.components.schemas as Record<string, Schema & { properties: Record<string, Schema> }>;
    for (const [name, schema] of Object.entries(schemas)) {
      if (!name.startsWith("switchboard.")) continue;
      if (!schema.description) undocumented.push(name);
      for (const [property, field] of Object.entries(schema.properties))
        if (!field.description) undocumented.push(`${name}.${property}`);
    }
    expect(Object.keys(schemas).filter((name) => name.startsWith("switchboard.")).length).toBeGreaterThan(10);
    expect(undocumented).toEqual([]);
  });

  it("takes an operation's summary from the rpc comment's first sentence and the whole comment as its description", () => {
    const getUser = doc.paths["/v1/users/{id}"].get;
    expect(getUser.summary).toBe("Returns one user.");
    expect(getUser.description).toBe(
      "Returns one user. NOT_FOUND if there is none with that id.\n\ngRPC: `switchboard.user.v1.UserService/GetUser`",
    );
    expect(getUser.parameters[0].description).toMatch(/\S/);
    const pageSize = doc.paths["/v1/users"].get.parameters.find(
      (p: { name: string }) => p.name === "page_size",
    );
    expect(pageSize.description).toMatch(/^Most users in this call's stream, 1 to 1000/);
  });

  it("describes each service as its tag and lists each enum value's comment", () => {
    const tag = doc.tags.find((t: { name: string }) => t.name === "UserService");
    expect(tag.description).toMatch(/^Users: create, read, update, delete/);
    const kind = doc.components.schemas["switchboard.notification.v1.Notification"].properties.kind;
    expect(kind.enum).toContain("NOTIFICATION_KIND_WELCOME");
    expect(kind.description).toContain("Why it was sent.\n\nWhy a notification was sent.");
    expect(kind.description).toContain("- `NOTIFICATION_KIND_WELCOME`: A new user signed up.");
  });

  it("uses the comments it is given, and the rpc's full name when an rpc has none", () => {
    const own = openApiDocument(routes, {
      title: "t",
      version: "1",
      comments: { "switchboard.user.v1.User.email": "Where mail goes." },
      // biome-ignore lint/suspicious/noExplicitAny: a JSON document walked by path in assertions
    }) as any;
    const user = own.components.schemas["switchboard.user.v1.User"];
    expect(user.properties.email.description).toBe("Where mail goes.");
    expect(user.description).toBeUndefined();
    expect(own.paths["/v1/users/{id}"].get.summary).toBe("switchboard.user.v1.UserService.GetUser");
  });
});
