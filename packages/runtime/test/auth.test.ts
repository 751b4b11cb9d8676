import { createHmac, generateKeyPairSync } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { Health } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { ServerReflection } from "@switchboard/proto/grpc/reflection/v1/reflection_pb.js";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { EchoRequestSchema, EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { callError, collect, connectClient, grpcJsClient, testTokens, until } from "@switchboard/testing";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthOptions } from "../src/auth/auth-options.js";
import { JwksKeys } from "../src/auth/jwks-keys.js";
import { TokenVerifier } from "../src/auth/token-verifier.js";
import { serveWithAuth } from "./auth-server.js";
import { speaksConnect, transport } from "./server-under-test.js";

const tokens = testTokens();
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

async function serve(auth: AuthOptions = { verifier: tokens.verifier }) {
  const served = await serveWithAuth(auth);
  closing.push(() => served.server.shutdown());
  return served;
}

type EchoCall = (
  request: unknown,
  metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, reply: unknown) => void,
) => void;

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Each credential an attacker might send, and the reason it is refused. */
const attacks: Array<[string, () => Promise<string> | string, RegExp]> = [
  ["a garbage string", () => "Bearer not-a-jwt", /malformed token/],
  ["a non-Bearer scheme", () => "Basic dXNlcjpwYXNzd29yZA==", /Bearer/],
  ["Bearer with no token", () => "Bearer ", /Bearer/],
  [
    "alg none",
    async () => {
      const [, payload] = (await tokens.user("u-1")).split(".");
      return `Bearer ${base64url({ alg: "none", kid: tokens.kid, typ: "JWT" })}.${payload}.`;
    },
    /algorithm must be ES256/,
  ],
  [
    "HS256 signed with the public key's bytes (key confusion)",
    async () => {
      const [, payload] = (await tokens.user("u-1")).split(".");
      const signingInput = `${base64url({ alg: "HS256", kid: tokens.kid, typ: "JWT" })}.${payload}`;
      const secret = JSON.stringify(tokens.jwks.keys[0]);
      const signature = createHmac("sha256", secret).update(signingInput).digest("base64url");
      return `Bearer ${signingInput}.${signature}`;
    },
    /algorithm must be ES256/,
  ],
  [
    "expired beyond the clock skew",
    async () =>
      `Bearer ${await tokens.sign({ sub: "u-1", roles: ["user"], iat: now() - 960, exp: now() - 60 })}`,
    /token expired/,
  ],
  [
    "not yet valid (nbf)",
    async () => `Bearer ${await tokens.sign({ sub: "u-1", roles: ["user"], nbf: now() + 120 })}`,
    /not yet valid/,
  ],
  [
    "another audience",
    async () => `Bearer ${await tokens.sign({ sub: "u-1", roles: ["user"], aud: "elsewhere" })}`,
    /"aud"/,
  ],
  [
    "another issuer",
    async () => `Bearer ${await tokens.sign({ sub: "u-1", roles: ["user"], iss: "evil" })}`,
    /"iss"/,
  ],
  [
    "no expiry",
    async () => `Bearer ${await tokens.sign({ sub: "u-1", roles: ["user"], exp: undefined })}`,
    /"exp"/,
  ],
  [
    "a tampered payload (user made admin)",
    async () => {
      const [header, , signature] = (await tokens.user("u-1")).split(".");
      const payload = {
        iss: "switchboard",
        aud: "switchboard",
        sub: "u-1",
        roles: ["user", "admin"],
        exp: now() + 600,
      };
      return `Bearer ${header}.${base64url(payload)}.${signature}`;
    },
    /signature does not verify/,
  ],
  [
    "another key claiming the server's kid",
    async () => {
      const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const forged = await new SignJWT({
        sub: "u-1",
        roles: ["user"],
        iss: "switchboard",
        aud: "switchboard",
      })
        .setProtectedHeader({ alg: "ES256", kid: tokens.kid })
        .setExpirationTime("5m")
        .sign(privateKey);
      return `Bearer ${forged}`;
    },
    /signature does not verify/,
  ],
  [
    "an unknown kid",
    async () => `Bearer ${await tokens.sign({ sub: "u-1", roles: ["user"] }, { kid: "someone-elses" })}`,
    /unknown key/,
  ],
  ["no roles", async () => `Bearer ${await tokens.sign({ sub: "u-1" })}`, /roles/],
  [
    "a service subject without the service role",
    async () => `Bearer ${await tokens.sign({ sub: "service:user-service", roles: ["user", "admin"] })}`,
    /malformed service token/,
  ],
  [
    "a user subject claiming the service role",
    async () => `Bearer ${await tokens.sign({ sub: "u-1", roles: ["user", "service"] })}`,
    /malformed user token/,
  ],
];

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

  it("reads the token from a stock grpc-js client's metadata", async () => {
    const { address, seen } = await serve();
    const stock = grpcJsClient(EchoService, address);
    const echo = (metadata: grpc.Metadata) =>
      new Promise<unknown>((resolve, reject) =>
        (stock.Echo as unknown as EchoCall).call(
          stock,
          create(EchoRequestSchema, { text: "stock" }),
          metadata,
          (error, reply) => (error ? reject(error) : resolve(reply)),
        ),
      );
    const withToken = new grpc.Metadata();
    withToken.set("authorization", `Bearer ${await tokens.user("u-9")}`);
    expect(await echo(withToken)).toMatchObject({ text: "stock" });
    expect(await echo(new grpc.Metadata()).catch((error: grpc.ServiceError) => error.code)).toBe(
      grpc.status.UNAUTHENTICATED,
    );
    stock.close();
    expect(seen.callers).toEqual([{ kind: "user", userId: "u-9", roles: ["user"] }]);
  });

  it.runIf(speaksConnect)("works alike over Connect and gRPC-Web (connect-node)", async () => {
    const { baseUrl, seen } = await serve();
    for (const protocol of ["connect", "grpc-web"] as const) {
      const client = connectClient(EchoService, baseUrl, protocol);
      expect((await callError(client.echo({ text: "hi" }))).code).toBe(Code.Unauthenticated);
      await client.echo({ text: "hi" }, bearer(await tokens.user(`u-${protocol}`)));
    }
    expect(seen.callers).toEqual([
      { kind: "user", userId: "u-connect", roles: ["user"] },
      { kind: "user", userId: "u-grpc-web", roles: ["user"] },
    ]);
  });

  it("logs who called each rpc", async () => {
    const { baseUrl, logs } = await serve();
    const client = connectClient(EchoService, baseUrl);
    await client.echo({ text: "hi" }, bearer(await tokens.user("u-7")));
    await client.echo({ text: "hi" }, bearer(await tokens.service("soap-gateway")));
    await callError(client.echo({ text: "hi" }));
    await until(() => logs.lines.filter((line) => line.msg === "rpc").length === 3);
    expect(logs.lines.filter((line) => line.msg === "rpc").map((line) => [line.code, line.caller])).toEqual([
      ["OK", "user:u-7"],
      ["OK", "service:soap-gateway"],
      ["Unauthenticated", undefined],
    ]);
  });

  it("accepts a token expired by less than the clock skew", async () => {
    const { baseUrl } = await serve();
    const late = await tokens.sign({ sub: "u-1", roles: ["user"], iat: now() - 910, exp: now() - 10 });
    expect((await connectClient(EchoService, baseUrl).echo({ text: "ok" }, bearer(late))).text).toBe("ok");
  });

  it("refuses a call without a token on an rpc that needs one (unary and streams)", async () => {
    const { baseUrl, seen } = await serve();
    const client = connectClient(EchoService, baseUrl);
    expect((await callError(client.echo({ text: "hi" }))).code).toBe(Code.Unauthenticated);
    expect((await callError(collect(client.echoMany({ text: "hi", count: 1 })))).code).toBe(
      Code.Unauthenticated,
    );
    expect(seen.callers).toEqual([]);
  });

  it.each(attacks)("refuses %s as UNAUTHENTICATED", async (_name, credential, reason) => {
    const { baseUrl, seen } = await serve();
    const authorization = await credential();
    const error = await callError(
      connectClient(EchoService, baseUrl).echo({ text: "hi" }, { headers: { authorization } }),
    );
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toMatch(reason);
    expect(seen.callers).toEqual([]);
  });

  it("refuses a kid that stays unknown after refetching the key set", async () => {
    let fetches = 0;
    const keys = new JwksKeys({
      fetchJwks: async () => {
        fetches++;
        return tokens.jwks;
      },
      minRefreshMs: 0,
    });
    const { baseUrl } = await serve({ verifier: new TokenVerifier({ keys }) });
    const client = connectClient(EchoService, baseUrl);
    await client.echo({ text: "hi" }, bearer(await tokens.user("u-1")));
    expect(fetches).toBe(1);
    const stranger = await tokens.sign({ sub: "u-1", roles: ["user"] }, { kid: "rotated-away" });
    const error = await callError(client.echo({ text: "hi" }, bearer(stranger)));
    expect(error).toMatchObject({
      code: Code.Unauthenticated,
      rawMessage: expect.stringMatching(/unknown key/),
    });
    expect(fetches).toBe(2);
  });

  it("answers health, reflection and allow_anonymous rpcs without a token, as anonymous", async () => {
    const { baseUrl, seen } = await serve();
    expect((await connectClient(Health, baseUrl).check({})).status).toBeDefined();
    const answers = await collect(
      connectClient(ServerReflection, baseUrl).serverReflectionInfo(
        (async function* () {
          yield { messageRequest: { case: "listServices" as const, value: "" } };
        })(),
      ),
    );
    expect(answers[0]?.messageResponse.case).toBe("listServicesResponse");
    await connectClient(AuthService, baseUrl).getJwks({});
    expect(seen.callers).toEqual([{ kind: "anonymous" }]);
  });

  it("still verifies a token sent to an open rpc: a bad one is UNAUTHENTICATED, a good one names the caller", async () => {
    const { baseUrl, seen } = await serve();
    const client = connectClient(AuthService, baseUrl);
    const expired = await tokens.sign({ sub: "u-1", roles: ["user"], exp: now() - 60 });
    expect((await callError(client.getJwks({}, bearer(expired)))).code).toBe(Code.Unauthenticated);
    expect((await callError(client.getJwks({}, { headers: { authorization: "garbage" } }))).code).toBe(
      Code.Unauthenticated,
    );
    await client.getJwks({}, bearer(await tokens.user("u-2")));
    expect(seen.callers).toEqual([{ kind: "user", userId: "u-2", roles: ["user"] }]);
  });

  it("opens whole services named in openServices", async () => {
    const { baseUrl, seen } = await serve({
      verifier: tokens.verifier,
      openServices: ["switchboard.echo.v1.EchoService"],
    });
    expect((await connectClient(EchoService, baseUrl).echo({ text: "legacy" })).text).toBe("legacy");
    expect(seen.callers).toEqual([{ kind: "anonymous" }]);
  });

  it("authenticates before validating: an anonymous caller learns nothing of the request rules", async () => {
    const { baseUrl } = await serve();
    const invalid = "nul \u0000 inside"; // the validation interceptor refuses NUL in strings
    const client = connectClient(EchoService, baseUrl);
    expect((await callError(client.echo({ text: invalid }))).code).toBe(Code.Unauthenticated);
    const error = await callError(client.echo({ text: invalid }, bearer(await tokens.user("u-1"))));
    expect(error.code).toBe(Code.InvalidArgument);
  });
});
