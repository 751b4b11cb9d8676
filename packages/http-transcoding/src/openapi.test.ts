import { Validator } from "@seriousme/openapi-schema-validator";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { describe, expect, it } from "vitest";
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
    expect(user.createTime).toEqual({ type: ["string", "null"], format: "date-time" });
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
});
