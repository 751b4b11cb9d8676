import { randomUUID } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import { anyIs, anyUnpack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import type { Database } from "@switchboard/database";
import { BadRequestSchema } from "@switchboard/proto/google/rpc/error_details_pb.js";
import { StatusSchema } from "@switchboard/proto/google/rpc/status_pb.js";
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
import { grpcJsBearer, grpcJsClient, unary, until } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedDatabase, seedUsers, startUserService } from "./harness.js";

let db: Database;
let service: Awaited<ReturnType<typeof startUserService>>;
let client: ReturnType<typeof grpcJsClient>;
beforeAll(async () => {
  db = await migratedDatabase();
  await seedUsers(db, 20_000, "Cancel"); // for the streams cut short
  service = await startUserService(db);
  client = grpcJsClient(UserService, service.address, { interceptors: [grpcJsBearer(service.adminToken)] });
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

  it("bad input: INVALID_ARGUMENT, a message naming the fields, google.rpc.BadRequest in the status details", async () => {
    const error = await unary(
      client,
      "CreateUser",
      create(CreateUserRequestSchema, { requestId: "nope", name: "", email: "x" }),
    ).catch((e: grpc.ServiceError) => e);
    expect(error).toMatchObject({ code: 3 });
    // Connect percent-encodes grpc-message with encodeURIComponent (":" as %3A, ";" as %3B), and
    // grpc-js decodes it with decodeURI, which leaves those escapes in place: a grpc-js user reads
    // "invalid request%3A request_id%3A …" until one side changes.
    const details = (error as grpc.ServiceError).details;
    expect(decodeURIComponent(details)).toMatch(/^invalid request: request_id: .*; name: .*; email: /);
    const [bytes] = (error as grpc.ServiceError).metadata.get("grpc-status-details-bin") as Buffer[];
    const status = fromBinary(StatusSchema, bytes!);
    const [detail] = status.details;
    expect(detail && anyIs(detail, BadRequestSchema)).toBe(true);
    const badRequest = anyUnpack(detail!, BadRequestSchema)!;
    expect(badRequest.fieldViolations.map((v) => v.field)).toEqual(["request_id", "name", "email"]);
  });

  it("server streaming cancelled mid-stream: the server stops reading", async () => {
    const batchesBefore = service.listings.batchesRead;
    const stream = (client.ListUsers as Call<grpc.ClientReadableStream<ListUsersResponse>>)(
      create(ListUsersRequestSchema, { query: "cancel" }) as never,
    );
    let received = 0;
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      stream.on("data", () => {
        if (++received === 100) stream.cancel();
      });
      stream.on("error", () => {});
      stream.on("status", resolve);
    });
    expect(status.code).toBe(grpc.status.CANCELLED);
    await until(() => service.listings.open === 0);
    expect(service.listings.batchesRead - batchesBefore).toBeLessThan(20_000 / 500);
  });

  it("server streaming past its deadline: DEADLINE_EXCEEDED, and the server stops reading", async () => {
    const batchesBefore = service.listings.batchesRead;
    const stream = (client.ListUsers as Call<grpc.ClientReadableStream<ListUsersResponse>>)(
      create(ListUsersRequestSchema, { query: "cancel" }) as never,
      { deadline: Date.now() + 200 } as never,
    );
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      // A slow reader: one message every 5 ms.
      stream.on("data", () => {
        stream.pause();
        setTimeout(() => stream.resume(), 5);
      });
      stream.on("error", () => {});
      stream.on("status", resolve);
    });
    expect(status.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await until(() => service.listings.open === 0);
    expect(service.listings.batchesRead - batchesBefore).toBeLessThan(20_000 / 500);
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
        action: { case: "watch", value: { ids: [randomUUID()] } },
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
