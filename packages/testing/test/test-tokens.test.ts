import { Code, ConnectError } from "@connectrpc/connect";
import { JwksKeys, TokenVerifier } from "@switchboard/runtime";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { testTokens } from "../src/test-tokens.js";

describe("testTokens", () => {
  it("mints the contract's tokens: ES256 with the kit's kid, iss/aud switchboard, 15 minutes, a jti", async () => {
    const tokens = testTokens();
    const token = await tokens.user("u-1");
    expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: tokens.kid });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: "switchboard", aud: "switchboard", sub: "u-1", roles: ["user"] });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
    expect(claims.jti).toEqual(expect.any(String));
  });

  it("its verifier names users, admins and services, and refuses another kit's tokens", async () => {
    const tokens = testTokens();
    expect(await tokens.verifier.verify(await tokens.admin("a-1"))).toEqual({
      kind: "user",
      userId: "a-1",
      roles: ["user", "admin"],
    });
    expect(await tokens.verifier.verify(await tokens.service("soap-gateway"))).toEqual({
      kind: "service",
      service: "soap-gateway",
    });
    const stranger = await testTokens().user("u-1");
    await expect(tokens.verifier.verify(stranger)).rejects.toSatisfy(
      (error) => ConnectError.from(error).code === Code.Unauthenticated,
    );
  });

  it("its jwks is what a JwksKeys needs to verify its tokens, as user-service's GetJwks would serve it", async () => {
    const tokens = testTokens();
    expect(tokens.jwks.keys).toEqual([
      expect.objectContaining({ kty: "EC", crv: "P-256", kid: tokens.kid, alg: "ES256", use: "sig" }),
    ]);
    expect(tokens.jwks.keys[0]).not.toHaveProperty("d");
    const verifier = new TokenVerifier({ keys: new JwksKeys({ fetchJwks: async () => tokens.jwks }) });
    expect(await verifier.verify(await tokens.user("u-2"))).toMatchObject({ userId: "u-2" });
  });

  it("sign() leaves out a claim set to undefined and takes header overrides", async () => {
    const tokens = testTokens();
    const token = await tokens.sign({ sub: "x", exp: undefined }, { kid: "other" });
    expect(decodeJwt(token)).not.toHaveProperty("exp");
    expect(decodeProtectedHeader(token).kid).toBe("other");
  });
});
