import { createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";

/** What one rpc received: the metadata the gateway is responsible for. */
export interface Received {
  rpc: string;
  authorization: string | null;
  forwardedFor: string | null;
}

export const ALLOWED_TOKEN = "Bearer allowed.token.sig";
export const FORBIDDEN_TOKEN = "Bearer forbidden.token.sig";

export const USER_ID = "0b9d4d9e-2a44-4f0e-9f0c-7f1f6c6a3a11";
export const IMAGE_ID = "5f0e6c1a-1c4e-4a7e-8f57-2f3b8e1a9c01";
const BYTES = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

/**
 * A stand-in for the three services that records the metadata each call arrives with and decides
 * like an authenticating service would, by the token alone: none → UNAUTHENTICATED,
 * FORBIDDEN_TOKEN → PERMISSION_DENIED, ALLOWED_TOKEN → an answer. It tests what the gateway passes
 * on and how it maps the answers; the real services' rules are tested against the real services.
 */
export async function startRecordingBackend() {
  const received: Received[] = [];
  const admit = (rpc: string, context: HandlerContext) => {
    const authorization = context.requestHeader.get("authorization");
    received.push({ rpc, authorization, forwardedFor: context.requestHeader.get("x-forwarded-for") });
    if (rpc === "GetJwks" || rpc === "Login") return; // anonymous by contract
    if (!authorization) throw new ConnectError("missing bearer token", Code.Unauthenticated);
    if (authorization === FORBIDDEN_TOKEN) throw new ConnectError("not yours", Code.PermissionDenied);
    if (authorization !== ALLOWED_TOKEN) throw new ConnectError("invalid token", Code.Unauthenticated);
  };
  const image = { id: IMAGE_ID, ownerId: USER_ID, contentType: "image/png", sizeBytes: 8n, sha256: "00" };
  const routes = (router: ConnectRouter) => {
    router.service(UserService, {
      getUser(_request, context) {
        admit("GetUser", context);
        return { user: { id: USER_ID, name: "Rec", email: "rec@example.com" } };
      },
      async *listUsers(_request, context) {
        admit("ListUsers", context);
        yield { user: { id: USER_ID, name: "Rec" } };
      },
    });
    router.service(AuthService, {
      getJwks(_request, context) {
        admit("GetJwks", context);
        return { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y", kid: "k1", alg: "ES256", use: "sig" }] };
      },
      login(_request, context) {
        admit("Login", context);
        return { tokens: { accessToken: "a.b.c", tokenType: "Bearer", expiresIn: 900, subject: USER_ID } };
      },
    });
    router.service(ImageService, {
      async uploadImage(requests, context) {
        admit("UploadImage", context);
        for await (const _ of requests);
        return { image };
      },
      async *downloadImage(_request, context) {
        admit("DownloadImage", context);
        yield {
          data: { case: "metadata", value: { contentType: "image/png", sizeBytes: 8n, sha256: "00" } },
        };
        yield { data: { case: "chunk", value: BYTES } };
      },
      getImage(_request, context) {
        admit("GetImage", context);
        return { image };
      },
      deleteImage(_request, context) {
        admit("DeleteImage", context);
        return {};
      },
    });
    router.service(NotificationService, {
      listNotifications(_request, context) {
        admit("ListNotifications", context);
        return { notifications: [] };
      },
      async *subscribe(_request, context) {
        admit("Subscribe", context);
        yield { notification: { id: "n1", userId: USER_ID, title: "hello" } };
      },
    });
  };
  const server: Http2Server = createServer(connectNodeAdapter({ routes }));
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    urls: { user: url, image: url, notification: url },
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy(); // the gateway's pooled connection
      }),
  };
}
