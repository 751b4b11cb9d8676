import { Code } from "@connectrpc/connect";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { callError, connectClient, memoryLogger, serveOnPort0 } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { fieldViolations } from "../src/invalid-argument.js";
import { ServerUnderTest } from "./server-under-test.js";

const running: ServerUnderTest[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.shutdown()));
});

async function serve() {
  const handled: string[] = [];
  const server = new ServerUnderTest({
    logger: memoryLogger().logger,
    routes: (router) => {
      router.service(UserService, {
        getUser(request) {
          handled.push(request.id);
          return { user: { id: request.id, name: "Ana" } };
        },
      });
      router.service(ImageService, {
        async uploadImage(requests) {
          for await (const request of requests) handled.push(request.data.case ?? "");
          return {};
        },
      });
    },
  });
  running.push(server);
  return { ...(await serveOnPort0(server)), handled };
}

describe("request validation from the contracts' buf.validate rules", () => {
  it("lets a valid request through to the handler", async () => {
    const { baseUrl, handled } = await serve();
    const id = "3f0c6b9e-3d7a-4c55-9a39-0d3c8d9b6f11";
    await connectClient(UserService, baseUrl).getUser({ id });
    expect(handled).toEqual([id]);
  });

  it("fails an invalid unary request with INVALID_ARGUMENT and BadRequest details, before the handler", async () => {
    const { baseUrl, handled } = await serve();
    const error = await callError(connectClient(UserService, baseUrl).getUser({ id: "not-a-uuid" }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/^invalid request: id: /);
    expect(fieldViolations(error)).toEqual([{ field: "id", description: expect.stringMatching(/UUID/i) }]);
    expect(handled).toEqual([]);
  });

  it("checks each message of a client stream", async () => {
    const { baseUrl, handled } = await serve();
    async function* upload() {
      yield {
        data: {
          case: "metadata" as const,
          value: { ownerId: "anonymous", sizeBytes: 3n, sha256: "not-hex" },
        },
      };
    }
    const error = await callError(connectClient(ImageService, baseUrl).uploadImage(upload()));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error)).toEqual([{ field: "metadata.sha256", description: expect.any(String) }]);
    expect(handled).toEqual([]);
  });

  it("refuses a string holding U+0000 (which PostgreSQL, MQTT and XML cannot carry) as the client's error", async () => {
    const { baseUrl, handled } = await serve();
    async function* upload() {
      yield {
        data: {
          case: "metadata" as const,
          value: { ownerId: "anonymous", sizeBytes: 3n, sha256: "a".repeat(64), filename: "a\u0000b.png" },
        },
      };
    }
    const error = await callError(connectClient(ImageService, baseUrl).uploadImage(upload()));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error)).toEqual([
      { field: "metadata.filename", description: expect.stringMatching(/NUL/) },
    ]);
    expect(handled).toEqual([]);
  });
});
