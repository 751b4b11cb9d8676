import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import { RetryInfoSchema } from "@switchboard/proto/google/rpc/error_details_pb.js";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { callError, testTokens } from "@switchboard/testing";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedDatabase, startUserService } from "./harness.js";

let db: Database;
let service: Awaited<ReturnType<typeof startUserService>>;
const PER_ACCOUNT = 3;

beforeAll(async () => {
  db = await migratedDatabase();
  service = await startUserService(db, {
    identity: {
      loginLimits: { perAccount: PER_ACCOUNT, perClient: 1_000, windowMs: 60_000 },
      serviceClients: new Map([["image-service", "s3cret-image"]]),
    },
  });
});
afterAll(async () => {
  await service?.close();
  await db?.close();
});

const anonymousAuth = () => service.client(AuthService, null);

/** Signs up (CreateUser, no token) with a password, as a person would. */
async function signUp(password = `pw-${randomUUID()}`) {
  const email = `auth.${randomUUID()}@example.com`;
  const { user } = await service.client(UserService, null).createUser({ name: "Auth Test", email, password });
  return { id: user!.id, email, password };
}

async function login(email: string, password: string) {
  const { tokens } = await anonymousAuth().login({ email, password });
  return tokens!;
}

describe("Login", () => {
  it("answers tokens whose access token has the contract's claims and verifies against GetJwks", async () => {
    const person = await signUp();
    const tokens = await login(person.email.toUpperCase(), person.password); // emails are case-insensitive
    expect(tokens).toMatchObject({ tokenType: "Bearer", expiresIn: 900, subject: person.id });
    expect(tokens.refreshToken.length).toBeGreaterThanOrEqual(43);

    const { keys } = await anonymousAuth().getJwks({});
    const jwks = createLocalJWKSet({ keys: keys.map((key) => ({ ...key })) });
    const { payload, protectedHeader } = await jwtVerify(tokens.accessToken, jwks, {
      algorithms: ["ES256"],
      issuer: "switchboard",
      audience: "switchboard",
    });
    expect(protectedHeader).toMatchObject({ alg: "ES256", kid: expect.any(String) });
    expect(keys.map((key) => key.kid)).toContain(protectedHeader.kid);
    expect(payload).toMatchObject({ sub: person.id, roles: ["user"], jti: expect.any(String) });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it("gives the same UNAUTHENTICATED answer for a wrong password, an unknown email and a user without a password", async () => {
    const person = await signUp();
    const wrong = await callError(
      anonymousAuth().login({ email: person.email, password: "not-the-password" }),
    );
    const unknown = await callError(
      anonymousAuth().login({ email: `nobody.${randomUUID()}@example.com`, password: "whatever-1" }),
    );
    const passwordless = await service.client(UserService).createUser({
      name: "No Password",
      email: `nopw.${randomUUID()}@example.com`,
    });
    const none = await callError(
      anonymousAuth().login({ email: passwordless.user!.email, password: "anything-at-all" }),
    );
    for (const error of [wrong, unknown, none]) {
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.rawMessage).toBe(wrong.rawMessage);
    }
  });

  it("refuses an account after too many failures with RESOURCE_EXHAUSTED and a retry hint, even with the right password", async () => {
    const person = await signUp();
    for (let i = 0; i < PER_ACCOUNT; i++) {
      const error = await callError(
        anonymousAuth().login({ email: person.email, password: `wrong-${i}-pw` }),
      );
      expect(error.code).toBe(Code.Unauthenticated);
    }
    const limited = await callError(
      anonymousAuth().login({ email: person.email, password: person.password }),
    );
    expect(limited.code).toBe(Code.ResourceExhausted);
    const [retry] = limited.findDetails(RetryInfoSchema);
    expect(Number(retry?.retryDelay?.seconds)).toBeGreaterThan(0);
    expect(Number(retry?.retryDelay?.seconds)).toBeLessThanOrEqual(60);
    // Another account from the same client is not affected.
    const other = await signUp();
    expect((await login(other.email, other.password)).subject).toBe(other.id);
  });

  it("refuses a bad bearer token even on an open rpc, rather than ignoring it", async () => {
    const person = await signUp();
    const forged = await testTokens().user(person.id); // a key user-service never made
    const error = await callError(service.client(AuthService, forged).login(person));
    expect(error.code).toBe(Code.Unauthenticated);
  });
});

describe("Refresh and Logout", () => {
  it("rotates: a refresh token gives a new pair once, and the new one works", async () => {
    const person = await signUp();
    const first = await login(person.email, person.password);
    const { tokens: second } = await anonymousAuth().refresh({ refreshToken: first.refreshToken });
    expect(second?.refreshToken).not.toBe(first.refreshToken);
    expect(second?.subject).toBe(person.id);
    const { tokens: third } = await anonymousAuth().refresh({ refreshToken: second!.refreshToken });
    expect(third?.accessToken).toBeTruthy();
  });

  it("a used refresh token presented again revokes every token of that login", async () => {
    const person = await signUp();
    const first = await login(person.email, person.password);
    const { tokens: second } = await anonymousAuth().refresh({ refreshToken: first.refreshToken });
    const replay = await callError(anonymousAuth().refresh({ refreshToken: first.refreshToken }));
    expect(replay.code).toBe(Code.Unauthenticated);
    expect(replay.rawMessage).toMatch(/already used/);
    // The legitimate holder's current token is revoked too: the login is over.
    const revoked = await callError(anonymousAuth().refresh({ refreshToken: second!.refreshToken }));
    expect(revoked.code).toBe(Code.Unauthenticated);
    // Another login of the same user is a family of its own, untouched.
    const other = await login(person.email, person.password);
    expect((await anonymousAuth().refresh({ refreshToken: other.refreshToken })).tokens?.subject).toBe(
      person.id,
    );
  });

  it("refuses an unknown refresh token", async () => {
    const error = await callError(anonymousAuth().refresh({ refreshToken: "not-a-token-we-issued" }));
    expect(error.code).toBe(Code.Unauthenticated);
  });

  it("Logout ends the login (every token of its family); twice, or with an unknown token, is OK", async () => {
    const person = await signUp();
    const first = await login(person.email, person.password);
    const { tokens: second } = await anonymousAuth().refresh({ refreshToken: first.refreshToken });
    await anonymousAuth().logout({ refreshToken: second!.refreshToken });
    await anonymousAuth().logout({ refreshToken: second!.refreshToken });
    await anonymousAuth().logout({ refreshToken: "never-issued" });
    expect((await callError(anonymousAuth().refresh({ refreshToken: second!.refreshToken }))).code).toBe(
      Code.Unauthenticated,
    );
  });

  it("refuses an expired refresh token", async () => {
    const shortDb = await migratedDatabase();
    const short = await startUserService(shortDb, { identity: { refreshTokenTtlSeconds: 1 } });
    try {
      const email = `short.${randomUUID()}@example.com`;
      await short.client(UserService, null).createUser({ name: "Short", email, password: "short-lived-1" });
      const { tokens } = await short.client(AuthService, null).login({ email, password: "short-lived-1" });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const error = await callError(
        short.client(AuthService, null).refresh({ refreshToken: tokens!.refreshToken }),
      );
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.rawMessage).toMatch(/expired/);
    } finally {
      await short.close();
      await shortDb.close();
    }
  });
});

describe("ChangePassword", () => {
  it("lets a user change its own password with the current one, and revokes its refresh tokens", async () => {
    const person = await signUp();
    const tokens = await login(person.email, person.password);
    const auth = service.client(AuthService, tokens.accessToken);
    await auth.changePassword({
      userId: person.id,
      currentPassword: person.password,
      newPassword: "brand-new-pw",
    });
    expect((await login(person.email, "brand-new-pw")).subject).toBe(person.id);
    expect((await callError(login(person.email, person.password))).code).toBe(Code.Unauthenticated);
    expect((await callError(anonymousAuth().refresh({ refreshToken: tokens.refreshToken }))).code).toBe(
      Code.Unauthenticated,
    );
  });

  it("refuses a wrong or missing current password, another user's password, and anonymous callers", async () => {
    const person = await signUp();
    const other = await signUp();
    const auth = service.client(AuthService, await service.userToken(person.id));
    const wrong = await callError(
      auth.changePassword({
        userId: person.id,
        currentPassword: "wrong-current",
        newPassword: "brand-new-pw",
      }),
    );
    expect(wrong.code).toBe(Code.Unauthenticated);
    const missing = await callError(auth.changePassword({ userId: person.id, newPassword: "brand-new-pw" }));
    expect(missing.code).toBe(Code.InvalidArgument);
    const theirs = await callError(
      auth.changePassword({ userId: other.id, currentPassword: other.password, newPassword: "brand-new-pw" }),
    );
    expect(theirs.code).toBe(Code.PermissionDenied);
    const nobody = await callError(
      anonymousAuth().changePassword({
        userId: person.id,
        currentPassword: person.password,
        newPassword: "x-y-z-w-1",
      }),
    );
    expect(nobody.code).toBe(Code.Unauthenticated);
    expect((await login(person.email, person.password)).subject).toBe(person.id);
  });

  it("lets an admin set any user's password without the current one (NOT_FOUND for no such user)", async () => {
    const person = await signUp();
    const admin = service.client(AuthService);
    await admin.changePassword({ userId: person.id, newPassword: "set-by-admin" });
    expect((await login(person.email, "set-by-admin")).subject).toBe(person.id);
    const missing = await callError(
      admin.changePassword({ userId: randomUUID(), newPassword: "set-by-admin" }),
    );
    expect(missing.code).toBe(Code.NotFound);
  });
});

describe("GetServiceToken and GetMqttCredentials", () => {
  it("gives a configured service a service token (no refresh token) for its secret, and nothing for a wrong one", async () => {
    const { tokens } = await anonymousAuth().getServiceToken({
      clientId: "image-service",
      clientSecret: "s3cret-image",
    });
    expect(tokens).toMatchObject({ subject: "service:image-service", refreshToken: "", tokenType: "Bearer" });
    const claims = JSON.parse(Buffer.from(tokens!.accessToken.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({ sub: "service:image-service", roles: ["service"] });
    expect(decodeProtectedHeader(tokens!.accessToken).alg).toBe("ES256");
    for (const [clientId, clientSecret] of [
      ["image-service", "wrong"],
      ["unknown-service", "s3cret-image"],
    ] as const) {
      const error = await callError(anonymousAuth().getServiceToken({ clientId, clientSecret }));
      expect(error.code).toBe(Code.Unauthenticated);
    }
  });

  it("answers GetMqttCredentials UNIMPLEMENTED until the MQTT accounts exist", async () => {
    const person = await signUp();
    const auth = service.client(AuthService, await service.userToken(person.id));
    expect((await callError(auth.getMqttCredentials({}))).code).toBe(Code.Unimplemented);
  });
});

describe("a password never leaves the service", () => {
  it("is in no response, no event in the outbox and no log line; only its scrypt hash is stored", async () => {
    const password = `secret-${randomUUID()}`;
    const email = `secret.${randomUUID()}@example.com`;
    const created = await service.client(UserService, null).createUser({ name: "Secret", email, password });
    await login(email, password);
    await callError(anonymousAuth().login({ email, password: `${password}-wrong` }));
    await service
      .client(AuthService)
      .changePassword({ userId: created.user!.id, newPassword: `${password}-2` });

    expect(JSON.stringify(created, (_, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(
      password,
    );
    const { rows: events } = await db.query<{ body: Uint8Array; attributes: unknown }>(
      "SELECT body, attributes FROM outbox WHERE key = $1",
      [created.user!.id],
    );
    expect(events.length).toBeGreaterThan(0);
    const { rows } = await db.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE id = $1",
      [created.user!.id],
    );
    const hash = rows[0]!.password_hash;
    expect(hash).toMatch(/^scrypt\$/);
    for (const event of events) {
      const text = Buffer.from(event.body).toString("latin1") + JSON.stringify(event.attributes);
      expect(text).not.toContain(password);
      expect(text).not.toContain(hash.split("$")[5]);
    }
    const logs = JSON.stringify(service.lines);
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(hash.split("$")[5]);
    expect(logs).toContain("switchboard.auth.v1.AuthService/Login"); // the calls were logged, without it
  });
});
