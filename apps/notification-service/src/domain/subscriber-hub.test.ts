import { create } from "@bufbuild/protobuf";
import {
  type Notification,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { describe, expect, it } from "vitest";
import { SubscriberFellBehindError } from "./errors.js";
import { SubscriberHub } from "./subscriber-hub.js";

const note = (userId: string, title: string) => create(NotificationSchema, { id: title, userId, title });

/** Reads a stream to its end: the titles it yielded and the error it ended with, if any. */
async function drain(stream: AsyncIterable<Notification>) {
  const titles: string[] = [];
  try {
    for await (const notification of stream) titles.push(notification.title);
    return { titles, error: undefined };
  } catch (error) {
    return { titles, error };
  }
}

describe("SubscriberHub", () => {
  it("fans each notification out to every subscriber of its user, and only theirs", async () => {
    const hub = new SubscriberHub(8);
    const stop = new AbortController();
    const streams = [hub.subscribe("ana", stop.signal), hub.subscribe("ana", stop.signal)];
    const other = hub.subscribe("bo", stop.signal);
    expect(hub.publish(note("ana", "a1"))).toBe(2);
    expect(hub.publish(note("ana", "a2"))).toBe(2);
    expect(hub.publish(note("cy", "nobody listens"))).toBe(0);
    stop.abort(); // each stream still yields what it holds, then ends
    for (const stream of streams)
      expect(await drain(stream)).toEqual({ titles: ["a1", "a2"], error: undefined });
    expect(await drain(other)).toEqual({ titles: [], error: undefined });
  });

  it("delivers in order to a reader that keeps up", async () => {
    const hub = new SubscriberHub(2);
    const stop = new AbortController();
    const reading = drain(hub.subscribe("ana", stop.signal));
    for (let i = 0; i < 10; i++) {
      expect(hub.publish(note("ana", `n${i}`))).toBe(1);
      await new Promise((resolve) => setImmediate(resolve)); // the reader takes it
    }
    hub.dropUser("ana");
    expect((await reading).titles).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
  });

  it("ends a subscriber whose buffer is full (SubscriberFellBehindError), after what it holds; the others get everything", async () => {
    const hub = new SubscriberHub(3);
    const stop = new AbortController();
    const slow = hub.subscribe("ana", stop.signal); // not read until the end
    const fast: string[] = [];
    const fastReading = (async () => {
      for await (const notification of hub.subscribe("ana", stop.signal)) fast.push(notification.title);
    })();
    for (let i = 0; i < 6; i++) {
      hub.publish(note("ana", `n${i}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(fast).toEqual(["n0", "n1", "n2", "n3", "n4", "n5"]);
    expect(hub.subscriberCount("ana")).toBe(1); // the slow one is forgotten at once
    const { titles, error } = await drain(slow);
    expect(titles).toEqual(["n0", "n1", "n2"]);
    expect(error).toBeInstanceOf(SubscriberFellBehindError);
    stop.abort();
    await fastReading;
  });

  it("forgets a subscriber whose call is gone (its signal aborted), and ends its stream", async () => {
    const hub = new SubscriberHub(4);
    const gone = new AbortController();
    const stays = new AbortController();
    const goneStream = hub.subscribe("ana", gone.signal);
    const stayingStream = hub.subscribe("ana", stays.signal);
    expect(hub.subscriberCount("ana")).toBe(2);
    gone.abort();
    expect(hub.subscriberCount("ana")).toBe(1);
    expect(await drain(goneStream)).toEqual({ titles: [], error: undefined });
    expect(hub.publish(note("ana", "still here"))).toBe(1);
    stays.abort();
    expect((await drain(stayingStream)).titles).toEqual(["still here"]);
    expect(hub.subscriberCount("ana")).toBe(0);
  });

  it("ends at once a stream subscribed with an already-aborted signal", async () => {
    const hub = new SubscriberHub(4);
    const stream = hub.subscribe("ana", AbortSignal.abort());
    expect(await drain(stream)).toEqual({ titles: [], error: undefined });
    expect(hub.subscriberCount("ana")).toBe(0);
  });

  it("ends a deleted user's streams cleanly, without touching a subscriber who came after", async () => {
    const hub = new SubscriberHub(4);
    const stop = new AbortController();
    const before = hub.subscribe("ana", stop.signal);
    hub.publish(note("ana", "before"));
    hub.dropUser("ana");
    const after = hub.subscribe("ana", stop.signal);
    expect(await drain(before)).toEqual({ titles: ["before"], error: undefined });
    expect(hub.subscriberCount("ana")).toBe(1); // the ended stream's cleanup left the new one alone
    expect(hub.publish(note("ana", "after"))).toBe(1);
    stop.abort();
    expect((await drain(after)).titles).toEqual(["after"]);
  });
});
