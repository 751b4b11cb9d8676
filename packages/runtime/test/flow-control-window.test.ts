import * as http2 from "node:http2";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { memoryLogger, serveOnPort0, until } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { echoService } from "./echo-service.js";
import { ServerUnderTest, transport } from "./server-under-test.js";

const running: ServerUnderTest[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.shutdown()));
});

describe(`the HTTP/2 receive window (${transport})`, () => {
  it.each([
    ["the default, 1 MiB", undefined, 1024 * 1024],
    ["a configured 256 KiB", 256 * 1024, 256 * 1024],
  ])("lets a client send %s before an acknowledgement, per call and per connection", async (_, bytes, expected) => {
    const server = new ServerUnderTest({
      logger: memoryLogger().logger,
      limits: bytes ? { flowControlWindowBytes: bytes } : {},
      routes: (router) => router.service(EchoService, echoService),
    });
    running.push(server);
    const { baseUrl } = await serveOnPort0(server);
    const session = http2.connect(baseUrl);
    session.on("error", () => {});
    try {
      await new Promise((resolve) => session.once("remoteSettings", resolve));
      // Per call: the SETTINGS frame. HTTP/2's default would be 65,535.
      expect(session.remoteSettings.initialWindowSize).toBe(expected);
      // Per connection: the WINDOW_UPDATE the server sends right after.
      await until(() => session.state.remoteWindowSize === expected, 20);
      expect(session.state.remoteWindowSize).toBe(expected);
    } finally {
      session.close();
    }
  });
});
