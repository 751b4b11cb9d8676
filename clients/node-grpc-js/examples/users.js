// UserService from a stock grpc-js client: unary CRUD, a client stream (ImportUsers), a server
// stream (ListUsers) and a bidirectional session (UserSession).
//   node examples/users.js
import { randomUUID } from "node:crypto";
import { call, callBidi, callClientStream, callServerStream } from "../src/index.js";
import { runIfMain } from "./run-if-main.js";

export async function run(clients) {
  const lines = [];
  const tag = randomUUID().slice(0, 8);

  // Unary: create (idempotent by request id), get, update with a field mask and a version, delete.
  const request = { requestId: randomUUID(), name: `Ana ${tag}`, email: `ana.${tag}@example.com` };
  const { user } = await call(clients.users, "CreateUser", request);
  const again = await call(clients.users, "CreateUser", request);
  lines.push(`CreateUser: ${user.id} v${user.version} (retry gave ${again.user.id})`);
  lines.push(`GetUser: ${(await call(clients.users, "GetUser", { id: user.id })).user.name}`);
  const updated = await call(clients.users, "UpdateUser", {
    user: { id: user.id, name: `Ana María ${tag}` },
    updateMask: { paths: ["name"] },
    expectedVersion: user.version, // int64 travels as a decimal string
  });
  lines.push(`UpdateUser: ${updated.user.name} v${updated.user.version}`);

  // Client streaming: a bulk import; each row stands alone.
  const rows = [0, 1, 2].map((i) => ({ name: `Row ${tag} ${i}`, email: `row${i}.${tag}@example.com` }));
  rows.push({ name: "", email: "not-an-email" });
  const summary = await callClientStream(clients.users, "ImportUsers", rows);
  lines.push(
    `ImportUsers: received=${summary.received} created=${summary.created} rejected=${summary.rejected}`,
  );

  // Server streaming: every matching user, one message each.
  for await (const message of callServerStream(clients.users, "ListUsers", { query: tag })) {
    lines.push(`ListUsers: ${message.user.name}`);
  }

  // Bidi: answers by correlation id; the oneof's member is named by the virtual field `result`.
  const session = callBidi(clients.users, "UserSession", [
    { correlationId: "1", watch: { ids: [user.id] } },
    { correlationId: "2", get: { id: user.id } },
    { correlationId: "3", get: { id: randomUUID() } },
  ]);
  for await (const answer of session) lines.push(`UserSession: #${answer.correlationId} ${answer.result}`);

  await call(clients.users, "DeleteUser", { id: user.id });
  lines.push(`DeleteUser: ${user.id}`);
  return lines;
}

await runIfMain(import.meta.url, run);
