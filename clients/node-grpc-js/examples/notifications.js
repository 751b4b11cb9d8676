// NotificationService from a stock grpc-js client: a server stream (Subscribe) receives what a unary
// SendNotification sends; then the history (ListNotifications). A user follows and reads its own
// notifications; sending is for the admin (or a service).
//   node examples/notifications.js
import { setTimeout as sleep } from "node:timers/promises";
import { call, callServerStream } from "../src/index.js";
import { adminClients, newUserClients } from "./accounts.js";
import { runIfMain, using } from "./run-if-main.js";

/** `me` logged in as a user, `admin` as the admin. */
export async function run(me, admin) {
  const lines = [];
  const userId = me.session.subject;

  // Server streaming: the user's notifications as they are delivered (no replay of earlier ones).
  const stream = await callServerStream(me.notifications, "Subscribe", { userId }, { timeoutMs: 30_000 });
  const first = new Promise((resolve, reject) => {
    // A new user's welcome may come first (sign-up → Kafka → here): wait for what is sent below.
    stream.on("data", (message) => {
      if (message.notification.kind === "NOTIFICATION_KIND_DIRECT") resolve(message.notification);
    });
    stream.once("error", reject);
  });
  first.catch(() => undefined); // cancelled below once answered

  // Unary: send until the open stream sees one (it is registered a moment after the call starts).
  let received;
  for (let attempt = 0; attempt < 20 && !received; attempt++) {
    const { notification } = await call(admin.notifications, "SendNotification", {
      userId,
      title: `Hello #${attempt}`,
      body: "from Node",
    });
    lines.push(`SendNotification: ${notification.id} ${notification.title}`);
    received = await Promise.race([first, sleep(500)]);
  }
  stream.cancel();
  lines.push(`Subscribe: received ${received?.title} (${received?.kind}, ${received?.deliveryState})`);

  const page = await call(me.notifications, "ListNotifications", { userId, pageSize: 10 });
  lines.push(`ListNotifications: ${page.notifications.map((n) => n.title).join(", ")}`);
  return lines;
}

await runIfMain(import.meta.url, async () =>
  using([await newUserClients("Reader"), await adminClients()], run),
);
