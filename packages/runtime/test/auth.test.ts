import { Code } from "@connectrpc/connect";
import { Health } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { callError, connectClient, testTokens } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
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

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe(`authentication (${transport})`, () => {
  it("lets a valid token through and hands the handler its caller", async () => {
    const { baseUrl, seen } = await serve();
    const client = connectClient(EchoService, baseUrl);
    expect((await client.echo({ text: "hi" }, bearer(await tokens.user("u-1")))).text).toBe("hi");
    await client.echo({ text: "hi" }, bearer(await tokens.admin("a-1")));
    await client.echo({ text: "hi" }, bearer(await tokens.service("user-service")));
    expect(seen.callers).toEqual([
      { kind: "user", userId: "u-1", roles: ["user"] },
      { kind: "user", userId: "a-1", roles: ["user", "admin"] },
      { kind: "service", service: "user-service" },
    ]);
  });

  it("refuses a call without a token on an rpc that needs one", async () => {
    const { baseUrl, seen } = await serve();
    const error = await callError(connectClient(EchoService, baseUrl).echo({ text: "hi" }));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(seen.callers).toEqual([]);
  });

  it("answers health and allow_anonymous rpcs without a token, as anonymous", async () => {
    const { baseUrl, seen } = await serve();
    expect((await connectClient(Health, baseUrl).check({})).status).toBeDefined();
    await connectClient(AuthService, baseUrl).getJwks({});
    expect(seen.callers).toEqual([{ kind: "anonymous" }]);
  });
});
