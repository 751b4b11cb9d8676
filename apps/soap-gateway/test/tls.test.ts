/**
 * The gateway given TLS files (as `pnpm start --tls` gives every app) serves HTTPS only, and with a
 * CA it requires a client certificate signed by it — the same rule as the gRPC services
 * (packages/runtime's serverTlsFromFiles). The WSDL then points its clients at https://. Only here
 * may a WS-Security UsernameToken carry a PasswordText.
 */
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { serverTlsFromFiles } from "@switchboard/runtime";
import { devCertificates } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action, envelope11 } from "./raw-soap.js";
import { type SystemUnderTest, startSystem } from "./system.js";
import { passwordTextSecurity } from "./wsse.js";

let certs: ReturnType<typeof devCertificates>;
let client: typeof certs.client;
let system: SystemUnderTest;
let port: string;
beforeAll(async () => {
  certs = devCertificates("soap-gateway-certs-");
  const { file } = certs;
  client = certs.client;
  const tls = serverTlsFromFiles({
    TLS_CERT_FILE: file("server.pem"),
    TLS_KEY_FILE: file("server-key.pem"),
    TLS_CA_FILE: file("ca.pem"),
  });
  system = await startSystem({ tls });
  port = new URL(system.url).port;
}, 60_000);
afterAll(async () => {
  await system?.close();
  certs?.remove();
});

interface Answer {
  status: number;
  text: string;
}

function https(path: string, options: RequestOptions & { body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { body, ...rest } = options;
    const req = httpsRequest({ host: "localhost", port, path, ...rest }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("over mutual TLS", () => {
  it("serves the WSDL, whose soap:address is the https:// endpoint", async () => {
    const answer = await https("/ws/UserService?wsdl", client);
    expect(answer.status).toBe(200);
    const addresses = [...answer.text.matchAll(/<soap(?:12)?:address location="([^"]+)"/g)].map((m) => m[1]);
    expect(addresses).toEqual([
      `https://localhost:${port}/ws/UserService`,
      `https://localhost:${port}/ws/UserService`,
    ]);
  });

  it("signs up with CreateUser, then reads itself with a UsernameToken PasswordText (HTTPS only)", async () => {
    const post = (op: string, body: string, header = "") =>
      https("/ws/UserService", {
        ...client,
        method: "POST",
        headers: { "content-type": "text/xml; charset=utf-8", soapaction: action(op) },
        body: envelope11(body, header),
      });
    const email = `tls-${randomUUID()}@example.com`;
    const password = `pw-${randomUUID()}`;
    const created = await post(
      "CreateUser",
      `<u:CreateUser><u:requestId>${randomUUID()}</u:requestId><u:name>Tls</u:name><u:email>${email}</u:email><u:password>${password}</u:password></u:CreateUser>`,
    );
    expect(created.status, created.text).toBe(200);
    const id = /<tns:id>([^<]+)<\/tns:id>/.exec(created.text)?.[1];
    const getUser = `<u:GetUser><u:id>${id}</u:id></u:GetUser>`;
    const withPassword = (pw: string) => `<s:Header>${passwordTextSecurity(email, pw)}</s:Header>`;

    const logins = () => system.rpcCount("switchboard.auth.v1.AuthService/Login");
    const loginsBefore = logins();
    const read = await post("GetUser", getUser, withPassword(password));
    expect(read.status, read.text).toBe(200);
    expect(read.text).toContain(`<tns:email>${email}</tns:email>`);
    // Again (a fresh nonce): the gateway's login is reused, not repeated.
    expect((await post("GetUser", getUser, withPassword(password))).status).toBe(200);
    expect(logins()).toBe(loginsBefore + 1);

    const wrong = await post("GetUser", getUser, withPassword("not-the-password"));
    expect(wrong.status).toBe(500);
    expect(wrong.text).toContain("<tns:codeName>UNAUTHENTICATED</tns:codeName>");
    const none = await post("GetUser", getUser);
    expect(none.text).toContain("<tns:codeName>UNAUTHENTICATED</tns:codeName>");
    // Neither the right password nor the wrong one is in any log line of the gateway.
    const logged = JSON.stringify(system.gatewayLines);
    expect(logged).toContain(`"code":"Unauthenticated"`); // the refused calls are logged, without the password
    expect(logged).not.toContain(password);
    expect(logged).not.toContain("not-the-password");
  });

  it("refuses a client without a certificate signed by the CA", async () => {
    const error = await https("/healthz", { ca: client.ca }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(await https("/healthz", client)).toMatchObject({ status: 200 });
  });

  it("refuses plain HTTP on the same port", async () => {
    const answer = await new Promise<number | Error>((resolve) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/healthz" }, (res) =>
        resolve(res.statusCode ?? 0),
      );
      req.on("error", resolve);
      req.end();
    });
    expect(answer).toBeInstanceOf(Error);
  });
});
