import * as http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type * as grpc from "@grpc/grpc-js";
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { ServerReflection } from "@switchboard/proto/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1Alpha } from "@switchboard/proto/grpc/reflection/v1alpha/reflection_pb.js";
import {
  EchoCollectRequestSchema,
  EchoRequestSchema,
  EchoService,
} from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import {
  callError,
  connectClient,
  grpcJsClient,
  memoryLogger,
  serveOnPort0,
  unary,
} from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createServiceClient } from "../src/grpc-client.js";
import { echoService } from "./echo-service.js";
import { ServerUnderTest, speaksConnect, transport } from "./server-under-test.js";

const KiB = 1024;

function startEchoServer(
  options: { readMaxBytes?: number; drainTimeoutMs?: number; compressResponses?: boolean } = {},
) {
  const { logger, lines } = memoryLogger();
  const server = new ServerUnderTest({
    logger,
    ...(options.compressResponses === undefined ? {} : { compressResponses: options.compressResponses }),
    readMaxBytes: options.readMaxBytes ?? 64 * KiB,
    drainTimeoutMs: options.drainTimeoutMs ?? 2_000,
    routes: (router) => router.service(EchoService, echoService),
  });
  return { server, lines };
}

const running: ServerUnderTest[] = [];
async function serve(options?: Parameters<typeof startEchoServer>[0]) {
  const { server, lines } = startEchoServer(options);
  running.push(server);
  return { ...(await serveOnPort0(server)), lines };
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.shutdown()));
});

async function* from<T>(...items: T[]) {
  yield* items;
}

describe(`a service served through the kit (${transport})`, () => {
  it("answers every call kind from a Connect client over gRPC", async () => {
    const { baseUrl } = await serve();
    const client = connectClient(EchoService, baseUrl);
    expect((await client.echo({ text: "hola" })).text).toBe("hola");
    const many = [];
    for await (const message of client.echoMany({ text: "x", count: 3 })) many.push(message.index);
    expect(many).toEqual([0, 1, 2]);
    const collected = await client.echoCollect(from({ text: "a" }, { text: "b" }, { text: "c" }));
    expect(collected).toMatchObject({ text: "a b c", count: 3 });
    const chat = [];
    for await (const message of client.echoChat(from({ text: "1" }, { text: "2" }))) chat.push(message.text);
    expect(chat).toEqual(["1", "2"]);
  });

  it.runIf(speaksConnect)("speaks gRPC-Web and the Connect protocol on the same port", async () => {
    const { baseUrl } = await serve();
    expect((await connectClient(EchoService, baseUrl, "grpc-web").echo({ text: "web" })).text).toBe("web");
    expect((await connectClient(EchoService, baseUrl, "connect").echo({ text: "connect" })).text).toBe(
      "connect",
    );
  });

  it("answers every call kind from a stock @grpc/grpc-js client", async () => {
    const { address } = await serve();
    const client = grpcJsClient(EchoService, address);
    try {
      const reply = await unary<{ text: string }>(client, "Echo", create(echoRequest(), { text: "stock" }));
      expect(reply.text).toBe("stock");

      const stream = (
        client.EchoMany as unknown as (r: unknown) => grpc.ClientReadableStream<{ index: number }>
      )(create(EchoService.method.echoMany.input, { text: "s", count: 4 }));
      const indexes: number[] = [];
      for await (const message of stream) indexes.push(message.index);
      expect(indexes).toEqual([0, 1, 2, 3]);

      const collected = await new Promise<{ text: string; count: number }>((resolve, reject) => {
        const call = (
          client.EchoCollect as unknown as (
            cb: (e: grpc.ServiceError | null, r: { text: string; count: number }) => void,
          ) => grpc.ClientWritableStream<unknown>
        )((error, response) => (error ? reject(error) : resolve(response)));
        for (const text of ["x", "y"]) call.write(create(EchoService.method.echoCollect.input, { text }));
        call.end();
      });
      expect(collected).toMatchObject({ text: "x y", count: 2 });

      const chat = (client.EchoChat as unknown as () => grpc.ClientDuplexStream<unknown, { text: string }>)();
      const answers: string[] = [];
      chat.write(create(EchoService.method.echoChat.input, { text: "ping" }));
      chat.write(create(EchoService.method.echoChat.input, { text: "pong" }));
      chat.end();
      for await (const message of chat) answers.push(message.text);
      expect(answers).toEqual(["ping", "pong"]);
    } finally {
      client.close();
    }
  });

  it("maps a handler's error to its gRPC status for both kinds of client", async () => {
    const { baseUrl, address } = await serve();
    const error = await callError(connectClient(EchoService, baseUrl).echo({ text: "fail" }));
    expect(error).toMatchObject({ code: Code.FailedPrecondition, rawMessage: "asked to fail" });
    const client = grpcJsClient(EchoService, address);
    await expect(unary(client, "Echo", create(echoRequest(), { text: "fail" }))).rejects.toMatchObject({
      code: 9,
      details: "asked to fail",
    });
    client.close();
  });

  it("logs one line per RPC with method, status code, duration and peer", async () => {
    const { baseUrl, lines } = await serve();
    const client = connectClient(EchoService, baseUrl);
    await client.echo({ text: "logged" });
    await client.echo({ text: "fail" }).catch(() => undefined);
    const rpcLines = lines.filter((line) => line.rpc === "switchboard.echo.v1.EchoService/Echo");
    expect(rpcLines).toHaveLength(2);
    expect(rpcLines[0]).toMatchObject({ code: "OK", peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(rpcLines[1]).toMatchObject({ code: "FailedPrecondition", error: "asked to fail" });
    expect(typeof rpcLines[0]?.durationMs).toBe("number");
    expect(rpcLines[0]?.traceId).toMatch(/^[\da-f]{32}$/);
  });
});

function echoRequest() {
  return EchoService.method.echo.input;
}

describe("limits and bad input", () => {
  it("rejects a message over readMaxBytes with RESOURCE_EXHAUSTED and keeps serving", async () => {
    const { baseUrl, address } = await serve({ readMaxBytes: 64 * KiB });
    const client = connectClient(EchoService, baseUrl);
    const error = await callError(client.echo({ text: "big", padding: new Uint8Array(65 * KiB) }));
    expect(error.code).toBe(Code.ResourceExhausted);
    const stock = grpcJsClient(EchoService, address);
    await expect(
      unary(stock, "Echo", create(echoRequest(), { padding: new Uint8Array(100 * KiB) })),
    ).rejects.toMatchObject({ code: 8 });
    stock.close();
    expect((await client.echo({ text: "still here" })).text).toBe("still here");
  });

  it("answers a garbage body with a clear error and keeps serving", async () => {
    const { baseUrl } = await serve();
    // A well-framed gRPC message whose payload is not a valid protobuf (a truncated varint).
    const garbage = Buffer.from([0, 0, 0, 0, 3, 0x0a, 0xff, 0xff]);
    const framed = await rawGrpcCall(baseUrl, "/switchboard.echo.v1.EchoService/Echo", garbage);
    // INVALID_ARGUMENT: the client sent it (grpc-go and grpc-java say INTERNAL, which reads as a
    // server fault and pages someone; patches/@connectrpc__connect@2.2.0.patch makes connect say this, and
    // GrpcJsServer answers so too).
    expect(framed.grpcStatus).toBe(String(Code.InvalidArgument));
    expect(framed.grpcMessage).toMatch(/parse binary|cannot be decoded/i);
    // Bytes that are not even gRPC framing.
    const unframed = await rawGrpcCall(
      baseUrl,
      "/switchboard.echo.v1.EchoService/Echo",
      Buffer.from("hello?"),
    );
    expect(unframed.grpcStatus).not.toBe("0");
    expect((await connectClient(EchoService, baseUrl).echo({ text: "fine" })).text).toBe("fine");
  });

  // grpc-js compresses every response or none (no size threshold): GrpcJsServer sends them plain.
  it.runIf(speaksConnect)(
    "gzips large responses for clients that accept it, unless compressResponses is off",
    async () => {
      /** The compressed-flag byte of the response message (1 = gzip), from a raw gzip-accepting call. */
      const compressedFlag = async (compressResponses?: boolean) => {
        const { baseUrl } = await serve(compressResponses === undefined ? {} : { compressResponses });
        const request = toBinary(
          EchoRequestSchema,
          create(EchoRequestSchema, { text: "compressible ".repeat(1000) }),
        );
        const frame = Buffer.alloc(5 + request.length);
        frame.writeUInt32BE(request.length, 1);
        frame.set(request, 5);
        const session = http2.connect(baseUrl);
        try {
          const stream = session.request({
            ":method": "POST",
            ":path": "/switchboard.echo.v1.EchoService/Echo",
            "content-type": "application/grpc",
            "grpc-accept-encoding": "gzip",
            te: "trailers",
          });
          stream.end(frame);
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks)[0];
        } finally {
          session.close();
        }
      };
      expect(await compressedFlag()).toBe(1);
      expect(await compressedFlag(false)).toBe(0);
    },
  );

  it("answers an unknown method with UNIMPLEMENTED", async () => {
    const { baseUrl } = await serve();
    const result = await rawGrpcCall(
      baseUrl,
      "/switchboard.echo.v1.EchoService/Nope",
      Buffer.from([0, 0, 0, 0, 0]),
    );
    expect(result.grpcStatus).toBe(String(Code.Unimplemented));
  });
});

describe("cancelled client streams", () => {
  it("end the handler's iteration with CANCELED, never like a finished stream", async () => {
    // What the handler saw at the end of each call's request stream.
    const endings: (string | Code)[] = [];
    let ended: () => void = () => undefined;
    const server = new ServerUnderTest({
      logger: memoryLogger().logger,
      routes: (router) =>
        router.service(EchoService, {
          ...echoService,
          async echoCollect(requests) {
            try {
              for await (const _ of requests);
              endings.push("finished");
            } catch (error) {
              endings.push(ConnectError.from(error).code);
            }
            ended();
            return { text: "", count: 0 };
          },
        }),
    });
    running.push(server);
    const { baseUrl } = await serveOnPort0(server);
    const message = toBinary(EchoCollectRequestSchema, create(EchoCollectRequestSchema, { text: "part" }));
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
    const session = http2.connect(baseUrl);
    for (let round = 0; round < 20; round++) {
      const handled = new Promise<void>((resolve) => {
        ended = resolve;
      });
      const stream = session.request({
        ":method": "POST",
        ":path": "/switchboard.echo.v1.EchoService/EchoCollect",
        "content-type": "application/grpc",
        te: "trailers",
      });
      stream.on("error", () => undefined);
      stream.write(frame, () => stream.close(http2.constants.NGHTTP2_CANCEL)); // a message, then reset
      await handled;
    }
    session.close();
    expect(endings).toEqual(Array(20).fill(Code.Canceled));
  });
});

describe("server reflection", () => {
  it("lists every service and returns file descriptors by symbol (v1 and v1alpha)", async () => {
    const { baseUrl } = await serve();
    const transport = createGrpcTransport({ baseUrl });
    for (const service of [ServerReflection, ServerReflectionV1Alpha]) {
      const client = createClient(service, transport);
      const answers = [];
      for await (const answer of client.serverReflectionInfo(
        from(
          { messageRequest: { case: "listServices" as const, value: "" } },
          {
            messageRequest: {
              case: "fileContainingSymbol" as const,
              value: "switchboard.echo.v1.EchoService",
            },
          },
          { messageRequest: { case: "fileContainingSymbol" as const, value: "no.such.Thing" } },
        ),
      )) {
        answers.push(answer.messageResponse);
      }
      const [list, files, missing] = answers;
      expect(list?.case).toBe("listServicesResponse");
      const names = list?.case === "listServicesResponse" ? list.value.service.map((s) => s.name) : [];
      expect(names).toEqual(
        expect.arrayContaining([
          "switchboard.echo.v1.EchoService",
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection",
        ]),
      );
      expect(files?.case).toBe("fileDescriptorResponse");
      const decoded =
        files?.case === "fileDescriptorResponse"
          ? files.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes))
          : [];
      const echoFile = decoded.find((file) => file.name === "switchboard/echo/v1/echo.proto");
      expect(echoFile?.service[0]?.method.map((m) => m.name)).toEqual([
        "Echo",
        "EchoMany",
        "EchoCollect",
        "EchoChat",
      ]);
      expect(missing).toMatchObject({ case: "errorResponse", value: { errorCode: Code.NotFound } });
    }
  });
});

describe("health", () => {
  it("reports SERVING per service, NOT_FOUND for an unknown one", async () => {
    const { baseUrl } = await serve();
    const health = createClient(Health, createGrpcTransport({ baseUrl }));
    expect((await health.check({ service: "" })).status).toBe(ServingStatus.SERVING);
    expect((await health.check({ service: "switchboard.echo.v1.EchoService" })).status).toBe(
      ServingStatus.SERVING,
    );
    await expect(health.check({ service: "nope.Service" })).rejects.toMatchObject({ code: Code.NotFound });
  });

  it("Watch sees SERVING, then NOT_SERVING when the server shuts down, then the stream ends", async () => {
    const { baseUrl, server } = await serve();
    const health = createClient(Health, createGrpcTransport({ baseUrl }));
    const seen: ServingStatus[] = [];
    const watching = (async () => {
      for await (const update of health.watch({ service: "switchboard.echo.v1.EchoService" })) {
        seen.push(update.status);
        if (update.status === ServingStatus.SERVING) void server.shutdown();
      }
    })();
    await watching;
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
  });
});

describe("graceful shutdown", () => {
  it("lets an in-flight stream finish, then refuses new calls", async () => {
    const { baseUrl, server } = await serve({ drainTimeoutMs: 5_000 });
    const client = connectClient(EchoService, baseUrl);
    const received: number[] = [];
    const inFlight = (async () => {
      for await (const message of client.echoMany({ text: "drain", count: 5, intervalMs: 100 })) {
        received.push(message.index);
        if (message.index === 0) void server.shutdown();
      }
    })();
    await inFlight;
    expect(received).toEqual([0, 1, 2, 3, 4]);
    await server.shutdown();
    const error = await callError(connectClient(EchoService, baseUrl).echo({ text: "late" }));
    expect(error.code).toBe(Code.Unavailable);
  });

  it("cuts off calls still running after the drain timeout", async () => {
    const { baseUrl, server } = await serve({ drainTimeoutMs: 200 });
    const client = connectClient(EchoService, baseUrl);
    const received: number[] = [];
    const outcome = (async () => {
      for await (const message of client.echoMany({ text: "slow", count: 100, intervalMs: 100 })) {
        received.push(message.index);
        if (message.index === 0) void server.shutdown();
      }
    })().catch((e) => ConnectError.from(e));
    const error = await outcome;
    expect(error).toBeInstanceOf(ConnectError);
    expect(received.length).toBeLessThan(100);
  });
});

describe("the client factory", () => {
  it("puts a default deadline on every call", async () => {
    const { baseUrl } = await serve();
    const client = createServiceClient(EchoService, { baseUrl, timeoutMs: 150 });
    const error = await (async () => {
      for await (const _ of client.echoMany({ text: "slow", count: 10, intervalMs: 100 })) void _;
    })().catch((e) => ConnectError.from(e));
    expect(error?.code).toBe(Code.DeadlineExceeded);
  });

  it("retries a unary call that fails with UNAVAILABLE, and nothing else", async () => {
    let attempts = 0;
    const { logger } = memoryLogger();
    const flaky = new ServerUnderTest({
      logger,
      routes: (router) =>
        router.service(EchoService, {
          echo(request) {
            attempts++;
            if (request.text === "flaky" && attempts < 3)
              throw new ConnectError("try later", Code.Unavailable);
            if (request.text === "broken") throw new ConnectError("no", Code.Internal);
            return { text: request.text };
          },
        }),
    });
    running.push(flaky);
    const { baseUrl } = await serveOnPort0(flaky);
    const client = createServiceClient(EchoService, { baseUrl, maxAttempts: 3 });
    expect((await client.echo({ text: "flaky" })).text).toBe("flaky");
    expect(attempts).toBe(3);
    attempts = 0;
    await expect(client.echo({ text: "broken" })).rejects.toMatchObject({ code: Code.Internal });
    expect(attempts).toBe(1);
  });
});

/** Sends raw bytes as a gRPC request, as a broken or hostile client would. */
function rawGrpcCall(
  baseUrl: string,
  path: string,
  body: Buffer,
): Promise<{ grpcStatus: string | undefined; grpcMessage: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    let headers: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => {
      headers = h;
    });
    stream.on("trailers", (trailers) => {
      headers = { ...headers, ...trailers };
    });
    stream.on("data", () => undefined);
    stream.on("end", () => {
      session.close();
      resolve({
        grpcStatus: headers["grpc-status"] as string | undefined,
        grpcMessage: headers["grpc-message"]
          ? decodeURIComponent(headers["grpc-message"] as string)
          : undefined,
      });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}
