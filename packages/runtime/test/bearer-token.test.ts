import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { callError, testTokens } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { bearerToken } from "../src/auth/bearer-token.js";
import { createServiceClient } from "../src/grpc-client.js";
import { serveWithAuth } from "./auth-server.js";
import { transport } from "./server-under-test.js";

const tokens = testTokens();
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

async function serve() {
  const served = await serveWithAuth({ verifier: tokens.verifier });
  closing.push(() => served.server.shutdown());
  return served;
}

describe(`sending a bearer token (${transport})`, () => {
  it("ServiceClientOptions.token asks for the token on every call (so it may refresh)", async () => {
    const { baseUrl, seen } = await serve();
    let asked = 0;
    const client = createServiceClient(EchoService, {
      baseUrl,
      token: async () => tokens.user(`u-${++asked}`),
    });
    await client.echo({ text: "one" });
    await client.echo({ text: "two" });
    expect(asked).toBe(2);
    expect(seen.callers).toEqual([
      { kind: "user", userId: "u-1", roles: ["user"] },
      { kind: "user", userId: "u-2", roles: ["user"] },
    ]);
  });

  it("without a token the same client is refused", async () => {
    const { baseUrl } = await serve();
    const client = createServiceClient(EchoService, { baseUrl, maxAttempts: 1 });
    expect((await callError(client.echo({ text: "hi" }))).code).toBe(Code.Unauthenticated);
  });

  it("bearerToken works as a plain interceptor on any Connect transport, streams included", async () => {
    const { baseUrl, seen } = await serve();
    const token = await tokens.service("user-service");
    const client = createClient(
      EchoService,
      createGrpcTransport({ baseUrl, interceptors: [bearerToken(() => token)] }),
    );
    const replies = [];
    for await (const reply of client.echoMany({ text: "s", count: 2 })) replies.push(reply.text);
    expect(replies).toEqual(["s", "s"]);
    await client.echo({ text: "u" });
    expect(seen.callers).toEqual([{ kind: "service", service: "user-service" }]);
  });

  it("a token function that fails fails the call without sending it", async () => {
    const { baseUrl, seen } = await serve();
    const client = createServiceClient(EchoService, {
      baseUrl,
      maxAttempts: 1,
      token: () => Promise.reject(new Error("no token to be had")),
    });
    await expect(client.echo({ text: "hi" })).rejects.toThrow(/no token to be had/);
    expect(seen.callers).toEqual([]);
  });
});
