/**
 * node-soap, a client that knows nothing of protobuf, builds itself from the live WSDL and runs
 * the flows against the real services, logged in (a JWT in a WS-Security
 * BinarySecurityToken): CRUD of a user by itself over both bindings, the NOT_FOUND Fault with its
 * typed detail, a ListUsers page (admin), UploadImage + GetImage by their owner, and a Server Fault
 * for a backend that is down.
 */
import { createHash, randomUUID } from "node:crypto";
import { pngOf } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SoapHeaderHandler } from "../src/soap/header-handler.js";
import { grpcStatus, soapPort } from "./node-soap.js";
import { action, envelope11, post } from "./raw-soap.js";
import { signUp } from "./soap-call.js";
import { type SystemUnderTest, startSystem } from "./system.js";
import { jwtSecurity } from "./wsse.js";

let system: SystemUnderTest;
/** The header hook (where WS-Security will go): claims {urn:x-test}Token, sets gRPC metadata from it. */
const claimed: string[] = [];
const tokenHandler: SoapHeaderHandler = {
  understands: (header) => header.uri === "urn:x-test" && header.local === "Token",
  handle(header, outgoing) {
    claimed.push(header.text);
    outgoing.set("x-test-token", header.text);
  },
};
beforeAll(async () => {
  system = await startSystem({ headerHandlers: [tokenHandler] });
});
afterAll(() => system.close());

/** The operations of one port of a service of the system under test, sending `security`. */
const port = (service: string, version: "1.1" | "1.2", security?: string) =>
  soapPort(system.url, service, version, security);

for (const version of ["1.1", "1.2"] as const) {
  describe(`SOAP ${version}`, () => {
    it("signs up, logs in, reads, updates and deletes itself, then reads NOT_FOUND with a typed detail", async () => {
      const anonymous = await port("UserService", version);
      const email = `ana-${randomUUID()}@example.com`;
      const password = `pw-${randomUUID()}`;
      const created = await anonymous.CreateUser!({ requestId: randomUUID(), name: "Ana", email, password });
      const id = created.user.id as string;
      expect(created.user).toMatchObject({ name: "Ana", email, version: 1 });
      const auth = await port("AuthService", version);
      const { tokens } = await auth.Login!({ email, password });
      expect(tokens).toMatchObject({ tokenType: "Bearer", subject: id });
      const users = await port("UserService", version, jwtSecurity(tokens.accessToken));

      const read = await users.GetUser!({ id });
      expect(read.user).toMatchObject({ id, name: "Ana", email });

      const updated = await users.UpdateUser!({
        user: { id, name: "Ana María" },
        updateMask: "name",
        expectedVersion: 1,
      });
      expect(updated.user).toMatchObject({ id, name: "Ana María", version: 2 });

      await users.DeleteUser!({ id, expectedVersion: 2 });
      // The gateway saw this binding's envelope (node-soap really spoke SOAP ${version}).
      expect(
        system.gatewayLines.some(
          (l) => l.operation === "DeleteUser" && l.soap === version && l.code === "OK",
        ),
      ).toBe(true);

      const asAdmin = await port("UserService", version, system.admin.security);
      const error = await asAdmin.GetUser!({ id }).catch((e) => e);
      expect(error.response.status).toBe(500);
      expect(grpcStatus(error)).toMatchObject({ code: "5", codeName: "NOT_FOUND" });
      expect(error.root.Envelope.Body.Fault[version === "1.1" ? "faultcode" : "Code"]).toEqual(
        version === "1.1" ? "env:Client" : { Value: "env:Sender" },
      );
    });
  });
}

describe("SOAP over the other operations", () => {
  it("lists users one page at a time for the admin, with the token of the next page", async () => {
    const users = await port("UserService", "1.1", system.admin.security);
    const tag = randomUUID().slice(0, 8);
    for (const n of [1, 2, 3]) {
      await users.CreateUser!({
        requestId: randomUUID(),
        name: `List ${tag} ${n}`,
        email: `l${n}-${tag}@example.com`,
      });
    }
    const first = await users.ListUsers!({ query: tag, pageSize: 2 });
    expect(first.users).toHaveLength(2);
    expect(first.nextPageToken).not.toBe("");
    const second = await users.ListUsers!({ query: tag, pageSize: 2, pageToken: first.nextPageToken });
    const rest = Array.isArray(second.users) ? second.users : [second.users];
    expect(rest.map((u: { name: string }) => u.name)).toHaveLength(1);
    expect([...first.users, ...rest].map((u: { name: string }) => u.name).sort()).toEqual(
      [1, 2, 3].map((n) => `List ${tag} ${n}`),
    );
  });

  it("uploads a whole image in one request as its owner and reads it back with GetImage", async () => {
    const owner = await signUp(system.url);
    const ownerId = owner.id;
    const images = await port("ImageService", "1.2", owner.security);
    const png = Buffer.from(pngOf(16, 9, true));
    const uploaded = await images.UploadImage!({
      metadata: { filename: "a.png", contentType: "image/png", sizeBytes: png.length },
      data: png.toString("base64"),
    });
    expect(uploaded.image).toMatchObject({
      width: 16,
      height: 9,
      sizeBytes: png.length,
      sha256: createHash("sha256").update(png).digest("hex"),
    });
    const read = await images.GetImage!({ imageId: uploaded.image.id });
    expect(read.image).toMatchObject({ id: uploaded.image.id, filename: "a.png", ownerId });
  });

  it("answers a Server Fault with UNAVAILABLE when the backend is down", async () => {
    const notifications = await port("NotificationService", "1.1", system.admin.security);
    const error = await notifications.ListNotifications!({ userId: randomUUID() }).catch((e) => e);
    expect(error.root.Envelope.Body.Fault.faultcode).toBe("env:Server");
    expect(grpcStatus(error)).toMatchObject({ code: "14", codeName: "UNAVAILABLE" });
  });

  it("hands a mustUnderstand header a handler claims to that handler, and answers", async () => {
    const header = `<s:Header><t:Token xmlns:t="urn:x-test" s:mustUnderstand="1">secret-1</t:Token></s:Header>`;
    const body = `<u:ListUsers><u:pageSize>1</u:pageSize></u:ListUsers>`;
    const response = await post(`${system.url}/ws/UserService`, envelope11(body, header), {
      "content-type": "text/xml",
      soapaction: action("ListUsers"),
      authorization: system.admin.authorization,
    });
    expect(response.status).toBe(200);
    expect(claimed).toEqual(["secret-1"]);
  });
});
