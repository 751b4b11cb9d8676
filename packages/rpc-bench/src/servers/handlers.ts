import { create } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { cachedUser } from "../workload.js";

const serving = create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING });

/**
 * The benchmark's handlers in connect's form, shared by the bare connect-node server and the kit,
 * so that the two differ only in what is around the handlers. The grpc-js server has the same
 * logic in grpc-js's form (bare-grpc-js.ts).
 */
export function benchRoutes(router: ConnectRouter, options: { health: boolean }): void {
  if (options.health) router.service(Health, { check: () => serving });
  router.service(UserService, { getUser: () => cachedUser });
  router.service(EchoService, {
    echo: (request) => ({ text: request.text }),
    async *echoMany(request) {
      for (let index = 0; index < request.count; index++) yield { text: request.text, index };
    },
  });
  // A sink: counts the upload's bytes and answers with the total.
  router.service(ImageService, {
    async uploadImage(requests) {
      let bytes = 0;
      for await (const request of requests)
        if (request.data.case === "chunk") bytes += request.data.value.length;
      return { image: { sizeBytes: BigInt(bytes) } };
    },
  });
}
