/**
 * Each WS-Security case against the real services over plain HTTP (PasswordText over HTTPS is in
 * tls.test.ts): a JWT in a BinarySecurityToken (text or Base64Binary) reaches the service as
 * `authorization: Bearer`; a bad JWT, a missing header and a bad Login are the services'
 * UNAUTHENTICATED; what the gateway itself refuses — a PasswordText over HTTP, a PasswordDigest
 * (with its replayed nonce and stale Created told apart), two credentials — costs no backend call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIGEST_NOT_SUPPORTED } from "../src/security/ws-security-handler.js";
import { faultOf, type RawResponse } from "./raw-soap.js";
import { codeOf, type SignedUp, signUp, soapCall } from "./soap-call.js";
import { type SystemUnderTest, startSystem } from "./system.js";
import { jwtSecurity, passwordDigestSecurity, passwordTextSecurity } from "./wsse.js";

let system: SystemUnderTest;
let ana: SignedUp;
beforeAll(async () => {
  system = await startSystem();
  ana = await signUp(system.url, "Ana");
}, 60_000);
afterAll(() => system?.close());

const getAna = (credentials: Parameters<typeof soapCall>[4]) =>
  soapCall(system.url, "UserService", "GetUser", { id: ana.id }, credentials);

/** The Fault's code and message; and that the gateway refused it without calling any service. */
async function refusedByGateway(
  send: () => Promise<RawResponse>,
): Promise<{ code: string; message: string }> {
  const before = system.rpcs();
  const response = await send();
  expect(system.rpcs()).toBe(before);
  const fault = faultOf(response);
  return { code: fault.codeName, message: fault.message };
}

describe("a BinarySecurityToken with a JWT", () => {
  it("from AuthService Login over SOAP, as text or Base64Binary, is passed on: the caller reads itself", async () => {
    for (const encoding of ["none", "base64"] as const) {
      const answer = await getAna({ security: jwtSecurity(ana.token, encoding) });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.text).toContain(`<tns:email>${ana.email}</tns:email>`);
    }
  });

  it("with a tampered signature or claims is the service's UNAUTHENTICATED", async () => {
    const [header, payload, signature] = ana.token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const asAdmin = Buffer.from(JSON.stringify({ ...claims, roles: ["user", "admin"] })).toString(
      "base64url",
    );
    const noneAlg = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    for (const forged of [
      `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith("AAAA") ? "BBBB" : "AAAA"}`,
      `${header}.${asAdmin}.${signature}`,
      `${noneAlg}.${asAdmin}.`,
    ]) {
      const answer = await getAna({ security: jwtSecurity(forged) });
      expect(faultOf(answer)).toMatchObject({ soapCode: "env:Client", codeName: "UNAUTHENTICATED" });
    }
  });

  it("that is no JWT at all is refused by the gateway", async () => {
    expect(await refusedByGateway(() => getAna({ security: jwtSecurity("not.a jwt") }))).toMatchObject({
      code: "UNAUTHENTICATED",
      message: expect.stringMatching(/not a JWT/),
    });
  });

  it("marked mustUnderstand is understood", async () => {
    const security = jwtSecurity(ana.token).replace(
      "<wsse:Security ",
      `<wsse:Security s:mustUnderstand="1" `,
    );
    expect(codeOf(await getAna({ security }))).toBe("OK");
  });
});

describe("without a credential", () => {
  it("a protected operation is the service's UNAUTHENTICATED; sign-up and Login need none", async () => {
    const before = system.rpcs();
    expect(faultOf(await getAna({}))).toMatchObject({ codeName: "UNAUTHENTICATED" });
    expect(system.rpcs()).toBe(before + 1); // user-service decided, not the gateway
    const login = await soapCall(system.url, "AuthService", "Login", {
      email: ana.email,
      password: ana.password,
    });
    expect(codeOf(login)).toBe("OK");
  });

  it("a wrong password at Login over SOAP is UNAUTHENTICATED", async () => {
    const login = await soapCall(system.url, "AuthService", "Login", {
      email: ana.email,
      password: "wrong-one",
    });
    expect(faultOf(login)).toMatchObject({ codeName: "UNAUTHENTICATED" });
  });
});

describe("a UsernameToken", () => {
  it("with PasswordText over plain HTTP is refused before any login", async () => {
    const fault = await refusedByGateway(() =>
      getAna({ security: passwordTextSecurity(ana.email, ana.password) }),
    );
    expect(fault.code).toBe("UNAUTHENTICATED");
    expect(fault.message).toMatch(/PasswordText is accepted only over HTTPS/);
  });

  it("with PasswordDigest is refused as unverifiable; the same nonce again as a replay", async () => {
    const header = passwordDigestSecurity(ana.email, ana.password);
    const first = await refusedByGateway(() => getAna({ security: header }));
    expect(first).toEqual({ code: "UNAUTHENTICATED", message: DIGEST_NOT_SUPPORTED });
    const replayed = await refusedByGateway(() => getAna({ security: header }));
    expect(replayed.code).toBe("UNAUTHENTICATED");
    expect(replayed.message).toMatch(/Nonce was already used/);
  });

  it("with PasswordDigest and a stale Created is refused as stale", async () => {
    const created = new Date(Date.now() - 10 * 60_000).toISOString();
    const fault = await refusedByGateway(() =>
      getAna({ security: passwordDigestSecurity(ana.email, ana.password, { created }) }),
    );
    expect(fault.message).toMatch(/older than 300 s/);
  });
});

describe("two credentials", () => {
  it("an Authorization header alone is passed on; with a wsse:Security header too, refused", async () => {
    expect(codeOf(await getAna({ authorization: `Bearer ${ana.token}` }))).toBe("OK");
    const fault = await refusedByGateway(() =>
      getAna({ authorization: `Bearer ${ana.token}`, security: jwtSecurity(ana.token) }),
    );
    expect(fault.message).toMatch(/send one credential/);
  });
});
