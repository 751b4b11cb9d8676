import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { NotificationSchema } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { describe, expect, it } from "vitest";
import { SubscriberHub } from "../domain/subscriber-hub.js";
import { streamed } from "./status.js";

describe("notification-service's status codes", () => {
  it("a subscription that fell behind ends with RESOURCE_EXHAUSTED at the edge", async () => {
    const hub = new SubscriberHub(2);
    const stop = new AbortController();
    const stream = streamed(hub.subscribe("ana", stop.signal));
    for (let i = 0; i < 3; i++)
      hub.publish(create(NotificationSchema, { id: `n${i}`, userId: "ana", title: `n${i}` }));
    const titles: string[] = [];
    const error = await (async () => {
      for await (const notification of stream) titles.push(notification.title);
    })().catch((e: unknown) => e);
    expect(titles).toEqual(["n0", "n1"]);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    stop.abort();
  });
});
