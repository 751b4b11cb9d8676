/** The wsse:Security reader on real parsed XML: what each token becomes, and each way it is refused. */
import { describe, expect, it } from "vitest";
import { parseXml } from "../../test/xml-tree.js";
import { NS } from "../contract/namespaces.js";
import { SoapFault } from "../soap/soap-fault.js";
import { MAX_SECURITY_ELEMENTS, readSecurityHeader, WSS } from "./security-header.js";

const JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
const security = (inner: string) =>
  parseXml(`<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">${inner}</wsse:Security>`);
const bst = (text: string, attrs = `ValueType="${WSS.jwtValueType}"`) =>
  security(`<wsse:BinarySecurityToken ${attrs}>${text}</wsse:BinarySecurityToken>`);
const usernameToken = (inner: string) => security(`<wsse:UsernameToken>${inner}</wsse:UsernameToken>`);

function refusal(read: () => unknown): { code: string; message: string } {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(SoapFault);
    const fault = error as SoapFault;
    return { code: String(fault.code), message: fault.message };
  }
  throw new Error("not refused");
}
const UNAUTHENTICATED = "16";

describe("a BinarySecurityToken", () => {
  it("carries a JWT as text", () => {
    expect(readSecurityHeader(bst(` ${JWT}\n`)).credential).toEqual({ kind: "jwt", token: JWT });
  });

  it("carries a JWT as Base64Binary", () => {
    const header = bst(
      Buffer.from(JWT).toString("base64"),
      `ValueType="${WSS.jwtValueType}" EncodingType="${WSS.base64Binary}"`,
    );
    expect(readSecurityHeader(header).credential).toEqual({ kind: "jwt", token: JWT });
  });

  it.each([
    ["another ValueType", bst(JWT, `ValueType="urn:x509"`), /ValueType must be/],
    ["no ValueType", bst(JWT, ""), /ValueType must be/],
    [
      "an unknown EncodingType",
      bst(JWT, `ValueType="${WSS.jwtValueType}" EncodingType="hex"`),
      /EncodingType/,
    ],
    ["text that is not a JWT", bst("not a jwt"), /not a JWT/],
    ["a header injection", bst(`${JWT}\r\nx-admin: 1`), /not a JWT/],
    ["a JWT over 8 KiB", bst(`${"a".repeat(9000)}.b.c`), /longer than/],
    [
      "Base64Binary that is not base64",
      bst("%%%", `ValueType="${WSS.jwtValueType}" EncodingType="${WSS.base64Binary}"`),
      /not Base64Binary/,
    ],
  ])("is refused with %s", (_, header, message) => {
    const { code, message: text } = refusal(() => readSecurityHeader(header));
    expect(code).toBe(UNAUTHENTICATED);
    expect(text).toMatch(message);
  });
});

describe("a UsernameToken", () => {
  it("with PasswordText (also the default Type) gives the username and password as sent", () => {
    for (const type of [` Type="${WSS.passwordText}"`, ""]) {
      const header = usernameToken(
        `<wsse:Username> ana@example.com </wsse:Username><wsse:Password${type}> s3cret </wsse:Password>`,
      );
      expect(readSecurityHeader(header).credential).toEqual({
        kind: "password",
        type: "text",
        username: "ana@example.com",
        password: " s3cret ",
      });
    }
  });

  it("with PasswordDigest gives the digest, nonce and created", () => {
    const header = usernameToken(
      `<wsse:Username>ana@example.com</wsse:Username><wsse:Password Type="${WSS.passwordDigest}">ZGlnZXN0</wsse:Password>` +
        `<wsse:Nonce EncodingType="${WSS.base64Binary}">AAECAwQFBgcICQ==</wsse:Nonce><wsu:Created>2026-12-01T10:00:00Z</wsu:Created>`,
    );
    expect(readSecurityHeader(header).credential).toEqual({
      kind: "password",
      type: "digest",
      username: "ana@example.com",
      password: "ZGlnZXN0",
      nonce: "AAECAwQFBgcICQ==",
      created: "2026-12-01T10:00:00Z",
    });
  });

  it.each([
    ["no Username", "<wsse:Password>x</wsse:Password>", /no Username/],
    ["no Password", "<wsse:Username>a</wsse:Username>", /no Password/],
    [
      "an unknown Password Type",
      `<wsse:Username>a</wsse:Username><wsse:Password Type="urn:x">x</wsse:Password>`,
      /Type "urn:x" is not supported/,
    ],
    [
      "two Passwords",
      "<wsse:Username>a</wsse:Username><wsse:Password>x</wsse:Password><wsse:Password>y</wsse:Password>",
      /more than one Password/,
    ],
    [
      "a short Nonce",
      "<wsse:Username>a</wsse:Username><wsse:Password>x</wsse:Password><wsse:Nonce>AAE=</wsse:Nonce>",
      /shorter than 8 bytes/,
    ],
    [
      "an unexpected element",
      "<wsse:Username>a</wsse:Username><wsse:Password>x</wsse:Password><wsse:Salt>1</wsse:Salt>",
      /unexpected/,
    ],
  ])("is refused with %s", (_, inner, message) => {
    const { code, message: text } = refusal(() => readSecurityHeader(usernameToken(inner)));
    expect(code).toBe(UNAUTHENTICATED);
    expect(text).toMatch(message);
  });
});

describe("the Security block", () => {
  it("keeps a wsu:Timestamp beside the token", () => {
    const header = security(
      `<wsu:Timestamp><wsu:Created>2026-12-01T10:00:00Z</wsu:Created><wsu:Expires>2026-12-01T10:05:00Z</wsu:Expires></wsu:Timestamp>` +
        `<wsse:BinarySecurityToken ValueType="${WSS.jwtValueType}">${JWT}</wsse:BinarySecurityToken>`,
    );
    expect(readSecurityHeader(header).timestamp).toEqual({
      created: "2026-12-01T10:00:00Z",
      expires: "2026-12-01T10:05:00Z",
    });
  });

  it.each([
    ["no token", security(""), /no token/],
    [
      "two tokens",
      security(
        `<wsse:BinarySecurityToken ValueType="${WSS.jwtValueType}">${JWT}</wsse:BinarySecurityToken>`.repeat(
          2,
        ),
      ),
      /more than one token/,
    ],
    [
      "an XML signature it cannot check",
      security(`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>`),
      /not supported/,
    ],
  ])("is refused with %s", (_, header, message) => {
    const { code, message: text } = refusal(() => readSecurityHeader(header));
    expect(code).toBe(UNAUTHENTICATED);
    expect(text).toMatch(message);
  });

  it(`is refused as RESOURCE_EXHAUSTED past ${MAX_SECURITY_ELEMENTS} elements`, () => {
    const header = security(`<wsu:Timestamp>${"<wsu:Created>x</wsu:Created>".repeat(20)}</wsu:Timestamp>`);
    expect(refusal(() => readSecurityHeader(header)).code).toBe("8");
  });
});
