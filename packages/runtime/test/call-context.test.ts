import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError, createClient, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { callError, connectClient, memoryLogger, serveOnPort0, until } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { ServerUnderTest, transport } from "./server-under-test.js";

/** What the handlers saw: the last call's context, and how its signal ended. */
const seen: { context?: HandlerContext; abortReason?: unknown } = {};

const running: ServerUnderTest[] = [];
async function serve() {
  const server = new ServerUnderTest({
    logger: memoryLogger().logger,
    routes: (router) =>
      router.service(EchoService, {
        echo(request, context) {
          seen.context = context;
          context.responseHeader.set("x-echo-header", request.text);
          context.responseTrailer.set("x-echo-trailer", "done");
          if (request.text === "fail") {
            throw new ConnectError("asked to fail", Code.Aborted, { "x-error-meta": "kept" });
          }
          return { text: `${request.text} (trace ${context.requestHeader.get("traceparent") ?? "none"})` };
        },
        async *echoMany(request, context) {
          seen.context = context;
          context.signal.addEventListener("abort", () => {
            seen.abortReason = context.signal.reason;
          });
          for (let index = 0; index < request.count; index++) {
            await sleep(request.intervalMs, undefined, { signal: context.signal }); // AbortError when aborted
            yield { text: request.text, index };
          }
        },
      }),
  });
  running.push(server);
  return serveOnPort0(server);
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.shutdown()));
  seen.context = undefined;
  seen.abortReason = undefined;
});

describe(`the handler context (${transport})`, () => {
  it("carries request headers in, and the handler's response headers and trailers out", async () => {
    const { baseUrl } = await serve();
    const client = connectClient(EchoService, baseUrl);
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const reply = await client.echo(
      { text: "hi" },
      {
        headers: { traceparent },
        onHeader: (h) => {
          header = h;
        },
        onTrailer: (t) => {
          trailer = t;
        },
      },
    );
    expect(reply.text).toBe(`hi (trace ${traceparent})`);
    expect(header?.get("x-echo-header")).toBe("hi");
    expect(trailer?.get("x-echo-trailer")).toBe("done");
  });

  it("sends an error's own metadata with its status", async () => {
    const { baseUrl } = await serve();
    const error = await callError(connectClient(EchoService, baseUrl).echo({ text: "fail" }));
    expect(error).toMatchObject({ code: Code.Aborted, rawMessage: "asked to fail" });
    expect(error.metadata.get("x-error-meta")).toBe("kept");
  });

  it("gives the handler the client's deadline, and aborts its signal when the deadline passes", async () => {
    const { baseUrl } = await serve();
    // The server is told 300 ms (grpc-timeout) while the client waits up to 5 s itself: with one
    // timer on each side, the client's cancel could reach the server first (seen under load in
    // CI), and the handler's signal would say "stream reset", not "deadline".
    const deadlineOnlyOnTheServer: Interceptor = (next) => (request) => {
      request.header.set("grpc-timeout", "300m");
      return next(request);
    };
    const client = createClient(
      EchoService,
      createGrpcTransport({ baseUrl, interceptors: [deadlineOnlyOnTheServer] }),
    );
    const error = await callError(
      (async () => {
        for await (const _ of client.echoMany(
          { text: "t", count: 100, intervalMs: 50 },
          { timeoutMs: 5_000 },
        )) {
          // reading until the deadline
        }
      })(),
    );
    expect(error.code).toBe(Code.DeadlineExceeded);
    const remaining = seen.context?.timeoutMs();
    expect(remaining).toBeDefined();
    await until(() => seen.abortReason !== undefined);
    expect(ConnectError.from(seen.abortReason).code, String(seen.abortReason)).toBe(Code.DeadlineExceeded);
  });

  it("aborts the handler's signal when the client cancels", async () => {
    const { baseUrl } = await serve();
    const client = connectClient(EchoService, baseUrl);
    const abort = new AbortController();
    const received: number[] = [];
    await callError(
      (async () => {
        for await (const message of client.echoMany(
          { text: "t", count: 100, intervalMs: 20 },
          { signal: abort.signal },
        )) {
          received.push(message.index);
          if (received.length === 2) abort.abort();
        }
      })(),
    );
    await until(() => seen.abortReason !== undefined);
    expect(ConnectError.from(seen.abortReason).code).toBe(Code.Canceled);
    expect(received).toEqual([0, 1]);
  });
});
