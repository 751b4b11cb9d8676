import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import type { Database } from "@switchboard/database";
import {
  CreateUserRequestSchema,
  DeleteUserRequestSchema,
  GetUserRequestSchema,
  ImportUsersRequestSchema,
  type ImportUsersResponse,
  ListUsersRequestSchema,
  type ListUsersResponse,
  UpdateUserRequestSchema,
  UserService,
  UserSessionRequestSchema,
  type UserSessionResponse,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { grpcJsClient, unary } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedDatabase, startUserService } from "./harness.js";

let db: Database;
let service: Awaited<ReturnType<typeof startUserService>>;
let client: ReturnType<typeof grpcJsClient>;
beforeAll(async () => {
  db = await migratedDatabase();
  service = await startUserService(db);
  client = grpcJsClient(UserService, service.address);
});
afterAll(async () => {
  client.close();
  await service.close();
  await db.close();
});

type Call<T> = (...args: never[]) => T;

describe("every UserService rpc from a stock @grpc/grpc-js client", () => {
  it("unary: create, get, update, delete", async () => {
    const email = `stock.${randomUUID()}@example.com`;
    const created = await unary<{ user: { id: string; version: bigint } }>(
      client,
      "CreateUser",
      create(CreateUserRequestSchema, { requestId: randomUUID(), name: "Stock", email }),
    );
    const id = created.user.id;
    const got = await unary<{ user: { email: string } }>(
      client,
      "GetUser",
      create(GetUserRequestSchema, { id }),
    );
    expect(got.user.email).toBe(email);
    const updated = await unary<{ user: { name: string; version: bigint } }>(
      client,
      "UpdateUser",
      create(UpdateUserRequestSchema, { user: { id, name: "Stocky" }, updateMask: { paths: ["name"] } }),
    );
    expect(updated.user).toMatchObject({ name: "Stocky", version: 2n });
    await unary(client, "DeleteUser", create(DeleteUserRequestSchema, { id }));
    await expect(unary(client, "GetUser", create(GetUserRequestSchema, { id }))).rejects.toMatchObject({
      code: 5,
    });
  });

  it("client streaming: ImportUsers", async () => {
    const tag = randomUUID().slice(0, 8);
    const summary = await new Promise<ImportUsersResponse>((resolve, reject) => {
      const call = (client.ImportUsers as Call<grpc.ClientWritableStream<unknown>>)(((
        error: grpc.ServiceError | null,
        response: ImportUsersResponse,
      ) => (error ? reject(error) : resolve(response))) as never);
      for (let i = 0; i < 3; i++) {
        call.write(
          create(ImportUsersRequestSchema, { name: `Imp ${i}`, email: `imp${i}.${tag}@example.com` }),
        );
      }
      call.end();
    });
    expect(summary).toMatchObject({ received: 3, created: 3, rejected: 0 });
  });

  it("server streaming: ListUsers", async () => {
    const stream = (client.ListUsers as Call<grpc.ClientReadableStream<ListUsersResponse>>)(
      create(ListUsersRequestSchema, { query: "imp", pageSize: 2 }) as never,
    );
    const messages: ListUsersResponse[] = [];
    for await (const message of stream) messages.push(message);
    expect(messages).toHaveLength(2);
    expect(messages[1]?.nextPageToken).not.toBe("");
  });

  it("bidi streaming: UserSession", async () => {
    const call = (client.UserSession as Call<grpc.ClientDuplexStream<unknown, UserSessionResponse>>)();
    call.write(
      create(UserSessionRequestSchema, {
        correlationId: "a",
        action: { case: "get", value: { id: randomUUID() } },
      }),
    );
    call.write(
      create(UserSessionRequestSchema, {
        correlationId: "b",
        action: { case: "watch", value: { ids: ["x"] } },
      }),
    );
    call.end();
    const answers: UserSessionResponse[] = [];
    for await (const answer of call) answers.push(answer);
    expect(answers.map((a) => [a.correlationId, a.result.case])).toEqual([
      ["a", "error"],
      ["b", "watching"],
    ]);
  });
});
