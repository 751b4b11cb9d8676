import { Code, ConnectError } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { connectClient } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedDatabase, startUserService } from "./harness.js";

const USERS = 100_000;
const MiB = 1024 * 1024;
let db: Database;
let service: Awaited<ReturnType<typeof startUserService>>;

beforeAll(async () => {
  db = await migratedDatabase();
  await db.query(
    `INSERT INTO users (id, name, email, email_key, create_time, update_time)
     SELECT gen_random_uuid(), 'Scale ' || i, 'scale' || i || '@example.com', 'scale' || i || '@example.com', now(), now()
     FROM generate_series(1, ${USERS}) AS i`,
  );
  service = await startUserService(db);
}, 120_000);
afterAll(async () => {
  await service.close();
  await db.close();
});

describe("ListUsers at scale", () => {
  it("streams 100,000 users in bounded batches without loading them all", async () => {
    const client = connectClient(UserService, service.baseUrl, "grpc", { timeoutMs: 120_000 });
    global.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    let received = 0;
    const batchesBefore = service.store.batchesRead;
    for await (const message of client.listUsers({})) {
      if (message.user?.name.startsWith("Scale ")) received++;
      if (received % 5_000 === 0) {
        const now = process.memoryUsage();
        peakRss = Math.max(peakRss, now.rss);
        peakHeap = Math.max(peakHeap, now.heapUsed);
      }
    }
    expect(received).toBe(USERS);
    // 500 rows per query: the server never asked the database for more than one batch at a time.
    expect(service.store.batchesRead - batchesBefore).toBe(USERS / 500 + 1);
    const report = {
      users: received,
      rssBaselineMiB: Math.round(baseline.rss / MiB),
      rssPeakMiB: Math.round(peakRss / MiB),
      heapGrowthMiB: Math.round((peakHeap - baseline.heapUsed) / MiB),
    };
    console.log("ListUsers memory (client and server in one process):", JSON.stringify(report));
  }, 120_000);

  it("stops reading the database when the client cancels mid-stream", async () => {
    const client = connectClient(UserService, service.baseUrl);
    const controller = new AbortController();
    const batchesBefore = service.store.batchesRead;
    let received = 0;
    const outcome = await (async () => {
      for await (const _ of client.listUsers({}, { signal: controller.signal })) {
        if (++received === 1_000) controller.abort();
      }
    })().catch((error: unknown) => ConnectError.from(error));
    expect(outcome).toMatchObject({ code: Code.Canceled });
    // The server logs the RPC when its handler has ended: wait for that line, not for a time.
    while (
      !service.lines.some(
        (line) => line.rpc === "switchboard.user.v1.UserService/ListUsers" && line.code === "Canceled",
      )
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const batchesRead = service.store.batchesRead - batchesBefore;
    expect(batchesRead).toBeLessThan(10);
    console.log(
      `cancelled after ${received} users: the server read ${batchesRead} of ${USERS / 500} batches`,
    );
  });
});
