import type { Database } from "@switchboard/database";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { sendHostileCalls } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authedClient, migratedDatabase, startUserService } from "./harness.js";
import { startImageService } from "./image-service.js";

let db: Database;
let service: Awaited<ReturnType<typeof startUserService>>;
let imageService: Awaited<ReturnType<typeof startImageService>>;

// user-service as main.ts builds it, the seed contract included (it relays images to image-service).
beforeAll(async () => {
  db = await migratedDatabase();
  imageService = await startImageService({ maxUploadBytes: 4 * 1024 * 1024 });
  service = await startUserService(db, {
    images: (token) => authedClient(ImageService, imageService.baseUrl, null, { serviceToken: token }),
  });
});
afterAll(async () => {
  await service?.close();
  await imageService?.close();
  await db?.close();
});

describe("hostile input to every rpc user-service serves", () => {
  it("never answers INTERNAL or UNKNOWN, and the server stays alive", async () => {
    const outcomes = await sendHostileCalls(service.baseUrl, service.server.services);
    const byStatus = Object.groupBy(outcomes, (o) => String(o.status));
    console.log(
      `user-service: ${outcomes.length} hostile calls over ${service.server.services.length} services; by grpc-status: ` +
        JSON.stringify(Object.fromEntries(Object.entries(byStatus).map(([s, list]) => [s, list?.length]))),
    );
    // -1: refused at the HTTP/2 level (a stream reset) before any gRPC status — not a fault.
    expect(outcomes.filter((o) => o.status === 2 || o.status === 13)).toEqual([]);
    const users = service.client(UserService);
    const { user } = await users.createUser({
      requestId: crypto.randomUUID(),
      name: "Still Here",
      email: `${crypto.randomUUID()}@example.com`,
    });
    expect((await users.getUser({ id: user?.id ?? "" })).user?.name).toBe("Still Here");
  }, 300_000);
});
