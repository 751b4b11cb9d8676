/**
 * Who may do what, over gRPC against the real server: every rpc × user A (the recipient), user B,
 * an admin, no token, a service's token and a forged token → the status each gets.
 */
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { collect, testTokens, until } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NotificationServiceUnderTest, startNotificationService } from "./harness.js";

type Client = ReturnType<NotificationServiceUnderTest["client"]>;
type Caller = "user A" | "user B" | "admin" | "anonymous" | "a service" | "forged token";
type Outcome = Code | "OK";

const A = randomUUID();
let service: NotificationServiceUnderTest;
let callers: Record<Caller, Client>;

beforeAll(async () => {
  service = await startNotificationService();
  const { tokens } = service;
  const forger = testTokens(); // signs with a key the service does not trust
  callers = {
    "user A": service.client(await tokens.user(A)),
    "user B": service.client(await tokens.user(randomUUID())),
    admin: service.client(await tokens.admin()),
    anonymous: service.client(""),
    "a service": service.client(await tokens.service("image-service")),
    // An admin's claims under the service's own key id, signed by another key.
    "forged token": service.client(
      await forger.sign({ sub: A, roles: ["user", "admin"] }, { kid: tokens.kid }),
    ),
  };
}, 120_000);
afterAll(() => service?.close());

const outcomeOf = (call: Promise<unknown>): Promise<Outcome> =>
  call.then(
    () => "OK" as const,
    (error: unknown) => ConnectError.from(error).code,
  );

/**
 * A Subscribe to A's notifications: OK once the stream is open (A has one more subscriber), or
 * the status it ended with first. The stream is then cancelled and its end awaited.
 */
async function subscribeOutcome(client: Client): Promise<Outcome> {
  const abort = new AbortController();
  const ended = outcomeOf(collect(client.subscribe({ userId: A }, { signal: abort.signal })));
  let settled = false;
  const opened = until(() => settled || service.hub.subscriberCount(A) > 0).then(() => "OK" as const);
  const first = await Promise.race([ended, opened]);
  settled = true;
  abort.abort();
  await ended;
  await until(() => service.hub.subscriberCount(A) === 0);
  return first;
}

const RPCS: Record<string, (client: Client) => Promise<Outcome>> = {
  "SendNotification to A": (client) => outcomeOf(client.sendNotification({ userId: A, title: "hi" })),
  "ListNotifications of A": (client) => outcomeOf(client.listNotifications({ userId: A })),
  "Subscribe to A's": subscribeOutcome,
};

const { OK, Unauthenticated: UNAUTH, PermissionDenied: DENIED } = { ...Code, OK: "OK" } as const;
// Columns: user A, user B, admin, anonymous, a service, forged token.
const EXPECTED: Record<keyof typeof RPCS, Outcome[]> = {
  "SendNotification to A": [DENIED, DENIED, OK, UNAUTH, OK, UNAUTH],
  "ListNotifications of A": [OK, DENIED, OK, UNAUTH, DENIED, UNAUTH],
  "Subscribe to A's": [OK, DENIED, OK, UNAUTH, DENIED, UNAUTH],
};

const label = (outcome: Outcome) => (outcome === "OK" ? "OK" : Code[outcome]);

describe("notification-service access, every rpc × caller", () => {
  it("gives each caller exactly the status the policy says", async () => {
    const names = Object.keys(callers) as Caller[];
    const table: Record<string, Record<string, string>> = {};
    for (const [rpc, call] of Object.entries(RPCS)) {
      table[rpc] = {};
      for (const name of names) table[rpc][name] = label(await call(callers[name]));
    }
    console.table(table);
    const expected = Object.fromEntries(
      Object.entries(EXPECTED).map(([rpc, row]) => [
        rpc,
        Object.fromEntries(names.map((name, column) => [name, label(row[column] as Outcome)])),
      ]),
    );
    expect(table).toEqual(expected);
  }, 60_000);

  it("a user reads its own notifications, and never another's through a denied call", async () => {
    await callers.admin.sendNotification({ userId: A, title: "for A only" });
    const own = await callers["user A"].listNotifications({ userId: A });
    expect(own.notifications.map((n) => n.title)).toContain("for A only");
    expect(await outcomeOf(callers["user B"].listNotifications({ userId: A }))).toBe(DENIED);
  });
});
