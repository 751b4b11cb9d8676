import {
  create,
  type DescMessage,
  type DescMethod,
  type JsonValue,
  type MessageInitShape,
  protoInt64,
} from "@bufbuild/protobuf";
import { HttpRuleSchema } from "@switchboard/proto/google/api/http_pb.js";
import { Fit, type Resize, ResizeSchema } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import {
  ImageService,
  type ProcessImageRequest,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import {
  type CreateUserRequest,
  type GetUserRequest,
  type ListUsersRequest,
  type UpdateUserRequest,
  UserService,
  type UserSessionRequest,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { describe, expect, it } from "vitest";
import { BadRequestError } from "./bad-request.js";
import { transcodeRequest } from "./request.js";
import { matchRoute } from "./router.js";
import { type Route, routeOf, routesOf } from "./routes.js";

const routes = routesOf([UserService, ImageService]);

/** Transcodes like the gateway: match the path, then build the message from path, query and body. */
function transcode<M>(method: string, url: string, body?: JsonValue, table: Route[] = routes): M {
  const [path = "", query = ""] = url.split("?");
  const match = matchRoute(table, method, path);
  if (match.kind !== "found") throw new Error(`no route: ${match.kind}`);
  return transcodeRequest(match.route, {
    bindings: match.bindings,
    query: new URLSearchParams(query),
    body,
  }) as M;
}

function violations(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof BadRequestError) return error.violations;
    throw error;
  }
  throw new Error("expected a BadRequestError");
}

/** A route with a hand-written rule over any method (for fields the real contracts lack). */
function ruleRoute(method: DescMethod, rule: MessageInitShape<typeof HttpRuleSchema>): Route {
  return routeOf(method.parent, method, create(HttpRuleSchema, rule));
}
/** UserSession's request has nested messages, a repeated string, an int64 and a FieldMask. */
const session = ruleRoute(UserService.method.userSession, {
  pattern: { case: "get", value: "/v1/sessions/{correlation_id}" },
});
/** Resize has an enum: a synthetic method whose input is Resize. */
const resizeMethod = { ...UserService.method.getUser, input: ResizeSchema as DescMessage } as DescMethod;
const resize = ruleRoute(resizeMethod, { pattern: { case: "get", value: "/v1/resize" } });

describe("request transcoding (cases after grpc-gateway's and Envoy's transcoder tests)", () => {
  it("binds a path variable", () => {
    expect(transcode<GetUserRequest>("GET", "/v1/users/abc").id).toBe("abc");
  });

  it("takes the whole body with body '*', in camelCase or proto names", () => {
    const a = transcode<CreateUserRequest>("POST", "/v1/users", {
      name: "Ana",
      email: "a@x",
      requestId: "r",
    });
    const b = transcode<CreateUserRequest>("POST", "/v1/users", {
      name: "Ana",
      email: "a@x",
      request_id: "r",
    });
    expect([a.requestId, b.requestId]).toEqual(["r", "r"]);
  });

  it("puts a named body field in place, the path variable inside it winning over the body", () => {
    const request = transcode<UpdateUserRequest>("PATCH", "/v1/users/u1?updateMask=name&expectedVersion=3", {
      id: "other",
      name: "Ana",
    });
    expect(request.user?.id).toBe("u1");
    expect(request.user?.name).toBe("Ana");
    expect(request.updateMask?.paths).toEqual(["name"]);
    expect(request.expectedVersion).toBe(protoInt64.parse(3));
  });

  it("derives update_mask from the fields the PATCH body names when the query has none", () => {
    const request = transcode<UpdateUserRequest>("PATCH", "/v1/users/u1", {
      name: "Ana",
      email: "a@x",
      avatarImageId: "",
    });
    expect(request.updateMask?.paths.sort()).toEqual(["avatar_image_id", "email", "name"]);
  });

  it("reads query parameters: int32, nested a.b, repeated x=1&x=2, int64 as a string, a FieldMask", () => {
    expect(transcode<ListUsersRequest>("GET", "/v1/users?pageSize=5&query=an&page_token=t")).toMatchObject({
      pageSize: 5,
      query: "an",
      pageToken: "t",
    });
    const watch = transcode<UserSessionRequest>("GET", "/v1/sessions/c1?watch.ids=a&watch.ids=b", undefined, [
      session,
    ]);
    expect(watch.correlationId).toBe("c1");
    expect(watch.action.case === "watch" && watch.action.value.ids).toEqual(["a", "b"]);
    const update = transcode<UserSessionRequest>(
      "GET",
      "/v1/sessions/c2?update.expected_version=9007199254740993&update.updateMask=name,email",
      undefined,
      [session],
    );
    expect(update.action.case === "update" && update.action.value.expectedVersion).toBe(
      protoInt64.parse("9007199254740993"),
    );
    expect(update.action.case === "update" && update.action.value.updateMask?.paths).toEqual([
      "name",
      "email",
    ]);
  });

  it("refuses two members of one oneof", () => {
    const found = violations(() =>
      transcode("GET", "/v1/sessions/c?watch.ids=a&get.id=b", undefined, [session]),
    );
    expect(found[0]?.description).toMatch(/oneof set multiple times/);
  });

  it("reads enums by name or by number", () => {
    expect(transcode<Resize>("GET", "/v1/resize?fit=FIT_COVER&width=10", undefined, [resize]).fit).toBe(
      Fit.COVER,
    );
    expect(transcode<Resize>("GET", "/v1/resize?fit=3", undefined, [resize]).fit).toBe(Fit.FILL);
  });

  it("answers an unknown query parameter with a field violation naming it", () => {
    expect(violations(() => transcode("GET", "/v1/users?pageSize=5&colour=red"))).toEqual([
      { field: "colour", description: "unknown query parameter" },
    ]);
    expect(violations(() => transcode("GET", "/v1/users/abc?user.id=x"))).toEqual([
      { field: "user.id", description: "unknown query parameter" },
    ]);
  });

  it("answers an unknown body field, a wrong type and a non-object body with a violation", () => {
    expect(violations(() => transcode("POST", "/v1/users", { name: "Ana", colour: "red" }))).toEqual([
      { field: "colour", description: "unknown field" },
    ]);
    expect(violations(() => transcode("POST", "/v1/users", { name: 5 }))[0]?.field).toBe("name");
    expect(violations(() => transcode("POST", "/v1/users", [1, 2]))[0]?.description).toMatch(/JSON object/);
  });

  it("refuses query parameters when the body is the whole request, and for fields in the body or path", () => {
    expect(violations(() => transcode("POST", "/v1/users?name=x", {}))[0]?.field).toBe("name");
    expect(
      violations(() => transcode("PATCH", "/v1/users/u1?user.name=x", { name: "y" }))[0]?.description,
    ).toMatch(/body|path/);
    expect(violations(() => transcode("GET", "/v1/users/u1?id=x"))[0]?.description).toBe(
      "already bound by the path",
    );
  });

  it("refuses a repeated value for a singular field, a bad int and a bad enum", () => {
    expect(violations(() => transcode("GET", "/v1/users?pageSize=1&pageSize=2"))[0]?.description).toMatch(
      /more than once/,
    );
    expect(violations(() => transcode("GET", "/v1/users?pageSize=ten"))[0]?.field).toBe("page_size");
    const badEnum = violations(() => transcode("GET", "/v1/resize?fit=FIT_SQUARE", undefined, [resize]))[0];
    expect(badEnum?.field).toBe("fit");
    expect(badEnum?.description).toMatch(/FIT_SQUARE.*FIT_COVER/);
  });

  it("takes body '*' with path variables on the :verb route", () => {
    const request = transcode<ProcessImageRequest>("POST", "/v1/images/img-1:process", {
      operations: [{ grayscale: {} }],
    });
    expect(request.imageId).toBe("img-1");
    expect(request.operations[0]?.kind.case).toBe("grayscale");
  });
});
