// The stock client — @grpc/grpc-js + @grpc/proto-loader on the .proto files, no Connect, no
// generated code — against the real user-service, started as its own process on a free port, with
// an admin of this test's own; a user signs up with a password and logs in (AuthService.Login).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ensureBrokers } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, callBidi, callClientStream, callServerStream, connect, connectAs } from "../src/index.js";

const serviceDir = fileURLToPath(new URL("../../../apps/user-service/", import.meta.url));
const ADMIN = { email: `admin.${randomUUID()}@example.com`, password: `admin-${randomUUID()}` };
let service;
let options;
let clients;
let admin;

/** Starts user-service with PORT=0 and resolves with the port it logged. */
function startUserService() {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "src/main.ts"], {
    cwd: serviceDir,
    env: {
      ...process.env,
      PORT: "0",
      DATA_DIR: mkdtempSync(join(tmpdir(), "user-service-")),
      LOG_LEVEL: "info",
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`user-service exited with ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.includes('"msg":"serving"')) resolve({ child, port: JSON.parse(line).port });
    });
  });
}

beforeAll(async () => {
  await ensureBrokers("kafka", "mosquitto");
  service = await startUserService();
  options = { users: `127.0.0.1:${service.port}` };
  clients = connect(options);
  admin = await connectAs(ADMIN, options);
}, 120_000);
afterAll(async () => {
  clients?.close();
  admin?.close();
  if (service) {
    const exited = new Promise((resolve) => service.child.once("exit", resolve));
    service.child.kill("SIGTERM");
    await exited;
  }
});

describe("a stock grpc-js client (proto-loader, no generated code) against user-service", () => {
  it("signs up, logs in, reads, updates and deletes itself (int64 as strings, enums as names)", async () => {
    const email = `stock.${randomUUID()}@example.com`;
    const password = `stock-${randomUUID()}`;
    const { user } = await call(clients.users, "CreateUser", {
      requestId: randomUUID(),
      name: "Stock",
      email,
      password,
    });
    expect(user).toMatchObject({ name: "Stock", email, version: "1" });
    await expect(call(clients.users, "GetUser", { id: user.id })).rejects.toMatchObject({ code: 16 });
    const me = await connectAs({ email, password }, options);
    try {
      expect(me.session.subject).toBe(user.id);
      expect((await call(me.users, "GetUser", { id: user.id })).user.email).toBe(email);
      const updated = await call(me.users, "UpdateUser", {
        user: { id: user.id, name: "Stocky" },
        updateMask: { paths: ["name"] },
        expectedVersion: "1",
      });
      expect(updated.user).toMatchObject({ name: "Stocky", version: "2" });
      await call(me.users, "DeleteUser", { id: user.id });
    } finally {
      me.close();
    }
    await expect(call(admin.users, "GetUser", { id: user.id })).rejects.toMatchObject({ code: 5 });
  });

  it("keeps one user out of another's record (PERMISSION_DENIED) and admin-only calls from users", async () => {
    const accounts = [];
    for (const name of ["A", "B"]) {
      const email = `${name.toLowerCase()}.${randomUUID()}@example.com`;
      const password = `pw-${randomUUID()}`;
      const { user } = await call(clients.users, "CreateUser", {
        requestId: randomUUID(),
        name,
        email,
        password,
      });
      accounts.push({ user, clients: await connectAs({ email, password }, options) });
    }
    const [a, b] = accounts;
    try {
      await expect(call(a.clients.users, "GetUser", { id: b.user.id })).rejects.toMatchObject({ code: 7 });
      const listing = await callServerStream(a.clients.users, "ListUsers", { query: "x" });
      await expect(
        (async () => {
          for await (const _ of listing);
        })(),
      ).rejects.toMatchObject({ code: 7 });
      expect((await call(admin.users, "GetUser", { id: b.user.id })).user.name).toBe("B");
    } finally {
      for (const account of accounts) account.clients.close();
    }
  });

  it("gets INVALID_ARGUMENT with the violations in the message for bad input", async () => {
    await expect(
      call(clients.users, "CreateUser", { requestId: "x", name: "", email: "no" }),
    ).rejects.toMatchObject({
      code: 3,
      details: expect.stringMatching(/request_id.*name.*email/),
    });
  });

  it("imports users over a client stream and lists them over a server stream, as the admin", async () => {
    const tag = randomUUID().slice(0, 8);
    async function* rows() {
      for (let i = 0; i < 3; i++) yield { name: `Node ${tag} ${i}`, email: `node${i}.${tag}@example.com` };
      yield { name: "", email: "bad" };
    }
    const summary = await callClientStream(admin.users, "ImportUsers", rows());
    expect(summary).toMatchObject({ received: 4, created: 3, rejected: 1 });
    const listed = [];
    for await (const message of await callServerStream(admin.users, "ListUsers", { query: tag })) {
      listed.push(message.user.name);
    }
    expect(listed.sort()).toEqual([`Node ${tag} 0`, `Node ${tag} 1`, `Node ${tag} 2`]);
  });

  it("holds a bidi UserSession: answers by correlation id, oneofs named by a virtual field", async () => {
    const session = await callBidi(admin.users, "UserSession", [
      { correlationId: "1", watch: { ids: [randomUUID()] } },
      { correlationId: "2", get: { id: randomUUID() } },
    ]);
    const answers = [];
    for await (const answer of session) answers.push([answer.correlationId, answer.result]);
    expect(answers).toEqual([
      ["1", "watching"],
      ["2", "error"],
    ]);
  });
});
