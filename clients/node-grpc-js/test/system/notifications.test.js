// NotificationService from the stock client against the running notification-service: a user
// follows its own notifications, the admin sends.
import { describe, expect, it } from "vitest";
import { run } from "../../examples/notifications.js";
import { admin, allUp, newUser, title } from "./running-system.js";

describe.skipIf(!allUp("users", "notifications"))(
  title("NotificationService from a stock grpc-js client", "users", "notifications"),
  () => {
    it("runs the example: a Subscribe stream receives what SendNotification sent; the history lists it", async () => {
      const lines = await run(await newUser("Reader"), admin);
      expect(lines.find((l) => l.startsWith("Subscribe:"))).toMatch(
        /^Subscribe: received Hello #\d+ \(NOTIFICATION_KIND_DIRECT, /,
      );
      expect(lines.at(-1)).toMatch(/^ListNotifications: Hello #/);
    });
  },
);
