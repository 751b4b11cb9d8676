import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { Health } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { type ClientTls, createServiceTransport, MiB } from "@switchboard/runtime";

/** One backend service process: what it serves and the one transport every call to it shares. */
export interface Backend {
  name: string;
  services: DescService[];
  transport: Transport;
  health: Client<typeof Health>;
}

export interface BackendUrls {
  user: string;
  image: string;
  notification: string;
}

/** The three services behind the gateway, each with one transport (deadlines, UNAVAILABLE retries). */
export function createBackends(
  urls: BackendUrls,
  options: { timeoutMs: number; tls?: ClientTls },
): Backend[] {
  const backend = (name: string, baseUrl: string, services: DescService[]): Backend => {
    const transport = createServiceTransport({
      baseUrl,
      timeoutMs: options.timeoutMs,
      readMaxBytes: 8 * MiB,
      writeMaxBytes: 8 * MiB,
      ...(options.tls && baseUrl.startsWith("https:") ? { tls: options.tls } : {}),
    });
    return { name, services, transport, health: createClient(Health, transport) };
  };
  return [
    // user-service also serves AuthService (login, tokens, JWKS): same process, same transport.
    backend("user-service", urls.user, [UserService, AuthService]),
    backend("image-service", urls.image, [ImageService]),
    backend("notification-service", urls.notification, [NotificationService]),
  ];
}

/** The backend serving a service, by the service's full name. */
export function backendIndex(backends: Backend[]): Map<string, Backend> {
  return new Map(backends.flatMap((b) => b.services.map((s) => [s.typeName, b] as const)));
}
