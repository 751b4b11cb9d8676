import { create } from "@bufbuild/protobuf";
import { AuthService, LoginResponseSchema } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { describe, expect, it } from "vitest";
import { UnsafePathError } from "./path-template.js";
import { transcodeResponse } from "./response.js";
import { matchRoute } from "./router.js";
import { routesOf } from "./routes.js";

const routes = routesOf([UserService, AuthService, ImageService, NotificationService]);
const found = (method: string, path: string) => {
  const match = matchRoute(routes, method, path);
  return match.kind === "found"
    ? `${match.route.method.name} ${JSON.stringify(Object.fromEntries(match.bindings))}`
    : match.kind;
};

describe("routes from the google.api.http options", () => {
  it("lists every annotated rpc and none of the others", () => {
    const names = routes.map((r) => `${r.httpMethod} ${r.template.source} ${r.method.name}`).sort();
    expect(names).toEqual([
      "DELETE /v1/images/{image_id} DeleteImage",
      "DELETE /v1/users/{id} DeleteUser",
      "GET /.well-known/jwks.json GetJwks",
      "GET /v1/images ListImages",
      "GET /v1/images/{image_id} GetImage",
      "GET /v1/images/{image_id}:download DownloadImage",
      "GET /v1/users ListUsers",
      "GET /v1/users/{id} GetUser",
      "GET /v1/users/{user_id}/notifications ListNotifications",
      "GET /v1/users/{user_id}/notifications:subscribe Subscribe",
      "PATCH /v1/users/{user.id} UpdateUser",
      "POST /v1/auth/login Login",
      "POST /v1/auth/logout Logout",
      "POST /v1/auth/mqtt-credentials GetMqttCredentials",
      "POST /v1/auth/refresh Refresh",
      "POST /v1/images UploadImage",
      "POST /v1/images/{image_id}:process ProcessImage",
      "POST /v1/notifications SendNotification",
      "POST /v1/users CreateUser",
      "POST /v1/users/{user_id}:changePassword ChangePassword",
    ]);
  });

  it("answers with only the response_body field when the rule names one (Login's tokens)", () => {
    const login = routes.find((r) => r.method.name === "Login")!;
    expect(login.responseBody).toBe("tokens");
    const response = create(LoginResponseSchema, {
      tokens: { accessToken: "a.b.c", tokenType: "Bearer", expiresIn: 900, refreshToken: "r", subject: "u" },
    });
    expect(transcodeResponse(login, response)).toEqual({
      accessToken: "a.b.c",
      tokenType: "Bearer",
      expiresIn: 900,
      refreshToken: "r",
      subject: "u",
    });
  });

  it("tells a :verb route from the plain one on the same resource", () => {
    expect(found("GET", "/v1/images/i1:download")).toBe('DownloadImage {"image_id":"i1"}');
    expect(found("GET", "/v1/images/i1")).toBe('GetImage {"image_id":"i1"}');
    expect(found("GET", "/v1/users/u1/notifications:subscribe")).toBe('Subscribe {"user_id":"u1"}');
    expect(found("GET", "/v1/users/u1/notifications")).toBe('ListNotifications {"user_id":"u1"}');
    expect(found("POST", "/v1/users/u1:changePassword")).toBe('ChangePassword {"user_id":"u1"}');
    expect(found("GET", "/.well-known/jwks.json")).toBe("GetJwks {}");
  });

  it("answers a known path with another method as method-not-allowed, listing the allowed ones", () => {
    expect(matchRoute(routes, "PUT", "/v1/users/u1")).toEqual({
      kind: "method-not-allowed",
      allow: expect.arrayContaining(["GET", "PATCH", "DELETE"]),
    });
    expect(matchRoute(routes, "GET", "/v1/nothing")).toEqual({ kind: "not-found" });
    // An unknown verb is part of the last segment, as in grpc-gateway: the plain route gets it whole.
    expect(found("GET", "/v1/images/i1:explode")).toBe('GetImage {"image_id":"i1:explode"}');
  });

  it("refuses a path that climbs with ..", () => {
    expect(() => matchRoute(routes, "GET", "/v1/users/%2e%2e/images")).toThrow(UnsafePathError);
  });
});
