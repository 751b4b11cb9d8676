// NotificationService from the stock client against the running notification-service.
import { describe, expect, it } from "vitest";
import { run } from "../../examples/notifications.js";
import { clients, title, up } from "./running-system.js";

describe.skipIf(!up.notifications)(
  title("NotificationService from a stock grpc-js client", "notifications"),
  () => {
    it("runs the example: a Subscribe stream receives what SendNotification sent; the history lists it", async () => {
      const lines = await run(clients);
      expect(lines.find((l) => l.startsWith("Subscribe:"))).toMatch(
        /^Subscribe: received Hello #\d+ \(NOTIFICATION_KIND_DIRECT, /,
      );
      expect(lines.at(-1)).toMatch(/^ListNotifications: Hello #/);
    });
  },
);
