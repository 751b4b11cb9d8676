import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import { Outbox } from "@switchboard/messaging";
import { CreateUserRequestSchema } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { brokerUrls, ensureBrokers } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserChanges } from "../src/domain/user-changes.js";
import { UserDirectory } from "../src/domain/user-directory.js";
import { UserHandlers } from "../src/handlers/user-service.js";
import { UserStore } from "../src/store/user-store.js";
import { migratedDatabase, outboxEvents } from "./harness.js";

// The handler called directly, so that the calls really overlap: each looks its request_id up
// before any of them has committed.
describe.each(["pglite", "postgres"] as const)("CreateUser retries racing each other on %s", (engine) => {
  let db: Database;
  let handlers: UserHandlers;
  beforeAll(async () => {
    if (engine === "postgres") await ensureBrokers("postgres");
    db = await migratedDatabase(engine === "postgres" ? brokerUrls.postgres : undefined);
    const changes = new UserChanges();
    const outbox = new Outbox(db, { source: "/test", relay: { wake() {} } });
    const users = new UserDirectory({ store: new UserStore(db), outbox, changes });
    handlers = new UserHandlers({ users, changes });
  });
  afterAll(async () => {
    await db?.close();
  });

  const request = (email: string, requestId = randomUUID()) =>
    create(CreateUserRequestSchema, { requestId, name: "Racer", email });

  it("answers every concurrent retry of one request with the same user, and writes one event", async () => {
    const same = request(`race.${randomUUID()}@example.com`);
    const before = (await outboxEvents(db)).length;
    const answers = await Promise.all([1, 2, 3, 4].map(() => handlers.createUser(same)));
    expect(new Set(answers.map((answer) => answer.user.id)).size).toBe(1);
    expect((await outboxEvents(db)).slice(before)).toHaveLength(1);
  });

  it("gives a taken email to exactly one of several different requests; the others get ALREADY_EXISTS", async () => {
    const email = `contested.${randomUUID()}@example.com`;
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => handlers.createUser(request(email))));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const codes = outcomes.flatMap((o) =>
      o.status === "rejected" ? [ConnectError.from(o.reason).code] : [],
    );
    expect(codes).toEqual([Code.AlreadyExists, Code.AlreadyExists]);
  });
});
