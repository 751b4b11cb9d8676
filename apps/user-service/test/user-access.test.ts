import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import {
  UserService,
  type UserSessionRequestSchema,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { AsyncQueue } from "@switchboard/runtime";
import { callError, collect } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedDatabase, startUserService } from "./harness.js";

let db: Database;
let service: Awaited<ReturnType<typeof startUserService>>;
/** Callers: user A, user B, an admin, nobody. */
let asA: Client<typeof UserService>;
let asB: Client<typeof UserService>;
let asAdmin: Client<typeof UserService>;
let asNobody: Client<typeof UserService>;
let a: string;
let b: string;

beforeAll(async () => {
  db = await migratedDatabase();
  service = await startUserService(db);
  asNobody = service.client(UserService, null);
  const signUp = async (name: string) =>
    (
      await asNobody.createUser({
        name,
        email: `${name}.${randomUUID()}@example.com`,
        password: "password-1",
      })
    ).user!.id;
  a = await signUp("a");
  b = await signUp("b");
  asA = service.client(UserService, await service.userToken(a));
  asB = service.client(UserService, await service.userToken(b));
  asAdmin = service.client(UserService);
});
afterAll(async () => {
  await service?.close();
  await db?.close();
});

const codeOf = async (call: Promise<unknown>) => {
  try {
    await call;
    return "OK";
  } catch (error) {
    return Code[ConnectError.from(error).code];
  }
};

type Caller = "A" | "B" | "admin" | "nobody";
const client = (caller: Caller) => ({ A: asA, B: asB, admin: asAdmin, nobody: asNobody })[caller];

describe("who may do what to user A, over gRPC", () => {
  it.each([
    ["A", "OK"],
    ["B", "PermissionDenied"],
    ["admin", "OK"],
    ["nobody", "Unauthenticated"],
  ] as const)("GetUser(A) as %s → %s", async (caller, expected) => {
    expect(await codeOf(client(caller).getUser({ id: a }))).toBe(expected);
  });

  it.each([
    ["A", "OK"],
    ["B", "PermissionDenied"],
    ["admin", "OK"],
    ["nobody", "Unauthenticated"],
  ] as const)("UpdateUser(A) as %s → %s", async (caller, expected) => {
    const update = client(caller).updateUser({
      user: { id: a, name: `by ${caller}` },
      updateMask: { paths: ["name"] },
    });
    expect(await codeOf(update)).toBe(expected);
  });

  it.each([
    ["A", "OK"],
    ["B", "PermissionDenied"],
    ["admin", "OK"],
    ["nobody", "Unauthenticated"],
  ] as const)("DeleteUser(a fresh user like A, A being its owner) as %s → %s", async (caller, expected) => {
    const email = `victim.${randomUUID()}@example.com`;
    const victim = (await asNobody.createUser({ name: "victim", email })).user!.id;
    const asVictim = service.client(UserService, await service.userToken(victim));
    const byCaller = { A: asVictim, B: asB, admin: asAdmin, nobody: asNobody }[caller];
    expect(await codeOf(byCaller.deleteUser({ id: victim }))).toBe(expected);
  });

  it.each([
    ["A", "PermissionDenied"],
    ["admin", "OK"],
    ["nobody", "Unauthenticated"],
  ] as const)("ListUsers as %s → %s", async (caller, expected) => {
    expect(await codeOf(collect(client(caller).listUsers({ pageSize: 5 })))).toBe(expected);
  });

  it.each([
    ["A", "PermissionDenied"],
    ["admin", "OK"],
    ["nobody", "Unauthenticated"],
  ] as const)("ImportUsers as %s → %s (refused before any row is created)", async (caller, expected) => {
    const email = `imported.${randomUUID()}@example.com`;
    const rows = async function* () {
      yield { name: "Imported", email };
    };
    expect(await codeOf(client(caller).importUsers(rows()))).toBe(expected);
    const { rows: found } = await db.query("SELECT 1 FROM users WHERE email = $1", [email]);
    expect(found.length).toBe(expected === "OK" ? 1 : 0);
  });

  it("PERMISSION_DENIED for another user's id is decided before any lookup: an unknown id answers the same", async () => {
    expect((await callError(asA.getUser({ id: randomUUID() }))).code).toBe(Code.PermissionDenied);
    expect((await callError(asAdmin.getUser({ id: randomUUID() }))).code).toBe(Code.NotFound);
  });

  it("a user may not make itself admin: CreateUser gives role user only, whatever the token", async () => {
    const email = `climber.${randomUUID()}@example.com`;
    const { user } = await asA.createUser({ name: "Climber", email, password: "password-1" });
    const { rows } = await db.query<{ roles: string[] }>("SELECT roles FROM users WHERE id = $1", [user!.id]);
    expect(rows[0]?.roles).toEqual(["user"]);
  });
});

describe("UserSession: a user may get, update and watch only itself", () => {
  it("answers A's own requests and an error for B's, and the session goes on", async () => {
    const requests = new AsyncQueue<MessageInitShape<typeof UserSessionRequestSchema>>(10);
    const answers = asA.userSession(requests)[Symbol.asyncIterator]();
    const ask = async (request: MessageInitShape<typeof UserSessionRequestSchema>) => {
      requests.push(request);
      return (await answers.next()).value;
    };
    const own = await ask({ correlationId: "1", action: { case: "get", value: { id: a } } });
    expect(own?.result.case).toBe("user");
    const theirs = await ask({ correlationId: "2", action: { case: "get", value: { id: b } } });
    expect(theirs?.result).toMatchObject({ case: "error", value: { code: Code.PermissionDenied } });
    const watchTheirs = await ask({ correlationId: "3", action: { case: "watch", value: { ids: [a, b] } } });
    expect(watchTheirs?.result).toMatchObject({ case: "error", value: { code: Code.PermissionDenied } });
    const updateTheirs = await ask({
      correlationId: "4",
      action: {
        case: "update",
        value: { user: { id: b, name: "hijacked" }, updateMask: { paths: ["name"] } },
      },
    });
    expect(updateTheirs?.result).toMatchObject({ case: "error", value: { code: Code.PermissionDenied } });
    const watchOwn = await ask({ correlationId: "5", action: { case: "watch", value: { ids: [a] } } });
    expect(watchOwn?.result).toMatchObject({ case: "watching", value: { ids: [a] } });
    requests.end();
    expect((await asAdmin.getUser({ id: b })).user?.name).not.toBe("hijacked");
  });
});
