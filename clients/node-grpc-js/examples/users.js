// UserService from a stock grpc-js client: unary CRUD, a client stream (ImportUsers), a server
// stream (ListUsers) and a bidirectional session (UserSession) — as a person would: sign up with a
// password, log in, manage one's own record; bulk import and listing as the admin.
//   node examples/users.js
import { randomUUID } from "node:crypto";
import {
  addressesFromEnv,
  call,
  callBidi,
  callClientStream,
  callServerStream,
  connectAs,
  connectFromEnv,
  tlsFromEnv,
} from "../src/index.js";
import { adminClients } from "./accounts.js";
import { runIfMain, using } from "./run-if-main.js";

/** `anonymous`: stubs without a token; `admin`: logged in as the admin; `options`: connect()'s for Ana's. */
export async function run(anonymous, admin, options = { ...addressesFromEnv(), tls: tlsFromEnv() }) {
  const lines = [];
  const tag = randomUUID().slice(0, 8);

  // Unary sign-up (anonymous): idempotent by request id.
  const ana = { email: `ana.${tag}@example.com`, password: `ana-secret-${tag}` };
  const request = { requestId: randomUUID(), name: `Ana ${tag}`, ...ana };
  const { user } = await call(anonymous.users, "CreateUser", request);
  const again = await call(anonymous.users, "CreateUser", request);
  lines.push(`CreateUser: ${user.id} v${user.version} (retry gave ${again.user.id})`);

  // Log in: every call of `me` carries Ana's access token (refreshed before it expires).
  await using([await connectAs(ana, options)], async (me) => {
    lines.push(`Login: ${me.session.subject}`);
    lines.push(`GetUser: ${(await call(me.users, "GetUser", { id: user.id })).user.name}`);
    const updated = await call(me.users, "UpdateUser", {
      user: { id: user.id, name: `Ana María ${tag}` },
      updateMask: { paths: ["name"] },
      expectedVersion: user.version, // int64 travels as a decimal string
    });
    lines.push(`UpdateUser: ${updated.user.name} v${updated.user.version}`);

    // Client streaming (admin only): a bulk import; each row stands alone.
    const rows = [0, 1, 2].map((i) => ({ name: `Row ${tag} ${i}`, email: `row${i}.${tag}@example.com` }));
    rows.push({ name: "", email: "not-an-email" });
    const summary = await callClientStream(admin.users, "ImportUsers", rows);
    lines.push(
      `ImportUsers: received=${summary.received} created=${summary.created} rejected=${summary.rejected}`,
    );

    // Server streaming (admin only): every matching user, one message each.
    for await (const message of await callServerStream(admin.users, "ListUsers", { query: tag })) {
      lines.push(`ListUsers: ${message.user.name}`);
    }

    // Bidi, about oneself: answers by correlation id; the oneof's member is named by the virtual
    // field `result`. Anyone else's id is answered with an error.
    const session = await callBidi(me.users, "UserSession", [
      { correlationId: "1", watch: { ids: [user.id] } },
      { correlationId: "2", get: { id: user.id } },
      { correlationId: "3", get: { id: randomUUID() } },
    ]);
    for await (const answer of session) lines.push(`UserSession: #${answer.correlationId} ${answer.result}`);

    await call(me.users, "DeleteUser", { id: user.id });
    lines.push(`DeleteUser: ${user.id}`);
  });
  return lines;
}

await runIfMain(import.meta.url, async () => {
  const anonymous = connectFromEnv();
  return using([anonymous, await adminClients()], run);
});
