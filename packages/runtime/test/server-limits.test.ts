import * as http2 from "node:http2";
import { connect as tcpConnect } from "node:net";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { connectClient, memoryLogger, serveOnPort0, until } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { GrpcServer } from "../src/grpc-server.js";
import type { ServerLimits } from "../src/server-limits.js";
import { echoService } from "./echo-service.js";

const running: GrpcServer[] = [];
async function serve(limits: Partial<ServerLimits>) {
  const server = new GrpcServer({
    logger: memoryLogger().logger,
    limits,
    routes: (router) => router.service(EchoService, echoService),
  });
  running.push(server);
  return serveOnPort0(server);
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.shutdown()));
});

function h2(baseUrl: string) {
  const session = http2.connect(baseUrl);
  session.on("error", () => {});
  return session;
}

describe("per-connection limits on every GrpcServer", () => {
  it("advertises a bounded number of concurrent streams and header bytes", async () => {
    const { baseUrl } = await serve({ maxConcurrentStreams: 7, maxHeaderListBytes: 8192 });
    const session = h2(baseUrl);
    await new Promise((resolve) => session.once("remoteSettings", resolve));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(7);
    expect(session.remoteSettings.maxHeaderListSize).toBe(8192);
    session.close();
  });

  it("refuses a call whose headers are over the limit, and keeps serving", async () => {
    const { baseUrl } = await serve({ maxHeaderListBytes: 8192 });
    const client = connectClient(EchoService, baseUrl, "grpc");
    // The limit holds once the client has acknowledged the server's SETTINGS: after a first call.
    expect((await client.echo({ text: "small headers" })).text).toBe("small headers");
    await expect(
      client.echo({ text: "hi" }, { headers: { "x-padding": "a".repeat(12 * 1024) } }),
    ).rejects.toThrow();
    // The offending connection is spent (nghttp2 refuses its streams); the server is not.
    const fresh = connectClient(EchoService, baseUrl, "grpc");
    expect((await fresh.echo({ text: "still here" })).text).toBe("still here");
  });

  it("closes a connection with no call open after the idle timeout, not one with a call open", async () => {
    const { baseUrl } = await serve({ idleTimeoutMs: 300 });
    const idle = h2(baseUrl);
    const closed = new Promise((resolve) => idle.once("close", resolve));
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    // A slow server stream outlives the idle timeout: the connection is busy, not idle.
    const client = connectClient(EchoService, baseUrl, "grpc");
    const replies: number[] = [];
    for await (const reply of client.echoMany({ text: "x", count: 4, intervalMs: 200 }))
      replies.push(reply.index);
    expect(replies).toEqual([0, 1, 2, 3]);
  });

  it("drops a peer that stops answering pings", async () => {
    const { port } = await serve({ keepaliveIntervalMs: 100, keepaliveTimeoutMs: 200 });
    // A raw client: the HTTP/2 preface and an empty SETTINGS frame, then silence (no PING ack).
    const socket = tcpConnect(port, "127.0.0.1");
    socket.on("data", () => {});
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"));
    socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
    let closed = false;
    socket.once("close", () => {
      closed = true;
    });
    await until(() => closed, 20);
    expect(closed).toBe(true);
  });
});
