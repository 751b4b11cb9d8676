// The stock client's login plumbing — connectAs (Login), the Session's refresh before expiry, and the
// bearer token on every call kind: per-call metadata in plaintext, call credentials composed into
// the channel credentials under TLS — against a GrpcServer (from @switchboard/runtime) that plays
// AuthService and echoes the `authorization` it receives. Needs no running services (the system
// tests prove the real user-service).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { UsuarioServicio } from "@switchboard/proto/user/usuario_pb.js";
import { GrpcServer } from "@switchboard/runtime";
import { memoryLogger, repoRoot } from "@switchboard/testing";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  callBidi,
  callClientStream,
  connect,
  connectAs,
  REFRESH_MARGIN_MS,
  Session,
} from "../src/index.js";

const LIFETIME_SECONDS = 900;
const ANA = { email: "ana@example.com", password: "ana-password" };

let certs;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-bearer-certs-"));
  execFileSync("bash", [join(repoRoot(), "scripts", "dev-certs.sh"), dir], { stdio: "ignore" });
  certs = { file: (name) => join(dir, name), read: (name) => readFileSync(join(dir, name)) };
});

const running = [];
const opened = [];
afterEach(async () => {
  for (const clients of opened.splice(0)) clients.close();
  await Promise.all(running.splice(0).map((server) => server.shutdown()));
});

/** Issues access-N / refresh-N, accepting only the latest refresh token; counts refreshes. */
function fakeAuth() {
  const state = { n: 0, current: "", refreshes: 0 };
  const tokens = () => {
    state.n += 1;
    state.current = `refresh-${state.n}`;
    return {
      accessToken: `access-${state.n}`,
      tokenType: "Bearer",
      expiresIn: LIFETIME_SECONDS,
      refreshToken: state.current,
      subject: "11111111-1111-4111-8111-111111111111",
    };
  };
  const handlers = {
    login: ({ email, password }) => {
      if (email !== ANA.email || password !== ANA.password) {
        throw new ConnectError("wrong email or password", Code.Unauthenticated);
      }
      return { tokens: tokens() };
    },
    refresh: ({ refreshToken }) => {
      if (refreshToken !== state.current)
        throw new ConnectError("unknown refresh token", Code.Unauthenticated);
      state.refreshes += 1;
      return { tokens: tokens() };
    },
  };
  return { state, handlers };
}

const authorizationOf = (context) => context.requestHeader.get("authorization") ?? "<none>";

/** A GrpcServer (TLS when `tls`) with the fake AuthService and a UsuarioServicio echoing `authorization`. */
async function serve({ tls = false } = {}) {
  const auth = fakeAuth();
  const server = new GrpcServer({
    logger: memoryLogger().logger,
    ...(tls ? { tls: { cert: certs.read("server.pem"), key: certs.read("server-key.pem") } } : {}),
    routes: (router) =>
      router.service(AuthService, auth.handlers).service(UsuarioServicio, {
        getUser: (_request, context) => ({ message: authorizationOf(context) }),
        getStreamImage: async (requests, context) => {
          for await (const _ of requests);
          return { message: authorizationOf(context) };
        },
        imageStreamReply: async function* (requests, context) {
          for await (const _ of requests) yield { message: authorizationOf(context) };
        },
      }),
  });
  running.push(server);
  const address = `localhost:${await server.listen(0, "127.0.0.1")}`;
  return { auth, options: { users: address, images: address, notifications: address } };
}

/** What the server saw as `authorization` on a unary, a client-stream and a bidi call. */
async function seenOnEveryKind(clients) {
  const unary = (await call(clients.usuario, "GetUser", { name: "x" })).message;
  const clientStream = (
    await callClientStream(clients.usuario, "GetStreamImage", [{ image: Buffer.from("a") }])
  ).message;
  const replies = [];
  for await (const reply of await callBidi(clients.usuario, "ImageStreamReply", [
    { image: Buffer.from("a") },
  ])) {
    replies.push(reply.message);
  }
  return [unary, clientStream, ...replies];
}

describe("a stock grpc-js client sending a login's bearer token", () => {
  it("in plaintext, as per-call metadata on unary, client-stream and bidi calls", async () => {
    const { options } = await serve();
    const clients = await connectAs(ANA, options);
    opened.push(clients);
    expect(clients.session.subject).toBe("11111111-1111-4111-8111-111111111111");
    expect(await seenOnEveryKind(clients)).toEqual(["Bearer access-1", "Bearer access-1", "Bearer access-1"]);
  });

  it("under TLS, as call credentials composed into the channel credentials", async () => {
    const { options } = await serve({ tls: true });
    const clients = await connectAs(ANA, { ...options, tls: { caFile: certs.file("ca.pem") } });
    opened.push(clients);
    expect(await seenOnEveryKind(clients)).toEqual(["Bearer access-1", "Bearer access-1", "Bearer access-1"]);
  });

  it("sends nothing without a login, and a wrong password is UNAUTHENTICATED", async () => {
    const { options } = await serve();
    const anonymous = connect(options);
    opened.push(anonymous);
    expect((await call(anonymous.usuario, "GetUser", { name: "x" })).message).toBe("<none>");
    await expect(connectAs({ ...ANA, password: "wrong" }, options)).rejects.toMatchObject({ code: 16 });
  });

  it("refreshes the token shortly before it expires, once for concurrent calls, and not earlier", async () => {
    const { auth, options } = await serve();
    const anonymous = connect(options);
    opened.push(anonymous);
    let now = 1_000_000;
    const session = await Session.login(anonymous.auth, ANA, { clock: () => now });
    const clients = connect({ ...options, token: () => session.accessToken() });
    opened.push(clients);
    now += LIFETIME_SECONDS * 1000 - REFRESH_MARGIN_MS - 1000;
    expect((await call(clients.usuario, "GetUser", {})).message).toBe("Bearer access-1");
    now += 2000; // inside the margin: the next calls refresh first, sharing one Refresh
    const seen = await Promise.all([1, 2, 3].map(() => call(clients.usuario, "GetUser", {})));
    expect(seen.map((reply) => reply.message)).toEqual([
      "Bearer access-2",
      "Bearer access-2",
      "Bearer access-2",
    ]);
    expect([auth.state.refreshes, session.refreshToken]).toEqual([1, "refresh-2"]);
  });
});
