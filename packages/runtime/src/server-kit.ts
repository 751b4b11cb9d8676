import type { DescService } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { authInterceptor } from "./auth/auth-interceptor.js";
import type { AuthOptions } from "./auth/auth-options.js";
import { cancelledStreamInterceptor } from "./cancelled-stream-interceptor.js";
import { type HealthRegistry, ServingStatus } from "./health.js";
import { loggingInterceptor } from "./logging-interceptor.js";
import { validationInterceptor } from "./validation-interceptor.js";

// What both servers share (GrpcServer on connect-node, GrpcJsServer on grpc-js), so that a call
// is logged, validated and cut off alike whichever transport serves it.

/**
 * The kit's interceptors, in order, then the caller's own: logging → auth (when configured) →
 * validation → cancelled streams. Auth runs before validation, so an unauthenticated caller learns
 * nothing about what a valid request looks like.
 */
export function kitInterceptors(
  logger: Logger,
  extra: readonly Interceptor[] = [],
  auth?: AuthOptions,
): Interceptor[] {
  return [
    loggingInterceptor(logger),
    ...(auth ? [authInterceptor(auth)] : []),
    validationInterceptor(),
    cancelledStreamInterceptor(),
    ...extra,
  ];
}

/** Reports the server and every one of its services SERVING, and logs where it listens. */
export function reportServing(
  health: HealthRegistry,
  services: readonly DescService[],
  logger: Logger,
  where: { port: number; host: string },
): void {
  health.set("", ServingStatus.SERVING);
  for (const service of services) health.set(service.typeName, ServingStatus.SERVING);
  logger.info({ ...where, services: services.map((s) => s.typeName) }, "serving");
}

/** Whether `closed` settles within `timeoutMs` (the drain), or the drain timed out. */
export async function drainedWithin(closed: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      closed.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
