import { Code } from "@connectrpc/connect";
import { HealthCheckResponse_ServingStatus } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import type { FastifyInstance } from "fastify";
import type { Backend } from "../backends.js";
import { sendStatus } from "../errors.js";

/** /healthz: the process is alive. /readyz: every backend reports SERVING, else 503 naming which. */
export function healthRoutes(app: FastifyInstance, backends: Backend[]) {
  app.get("/healthz", async () => ({ status: "SERVING" }));
  app.get("/readyz", async (_request, reply) => {
    const states = await Promise.all(
      backends.map(async (backend) => {
        try {
          const { status } = await backend.health.check({ service: "" }, { timeoutMs: 1_000 });
          return [backend.name, HealthCheckResponse_ServingStatus[status]] as const;
        } catch {
          return [backend.name, "UNREACHABLE"] as const;
        }
      }),
    );
    const down = states.filter(([, state]) => state !== "SERVING").map(([name]) => name);
    if (down.length > 0) return sendStatus(reply, 503, Code.Unavailable, `not ready: ${down.join(", ")}`);
    return { status: "SERVING", backends: Object.fromEntries(states) };
  });
}
