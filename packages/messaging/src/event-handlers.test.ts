import { create } from "@bufbuild/protobuf";
import {
  ImageProcessedSchema,
  UserCreatedSchema,
  UserDeletedSchema,
} from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent } from "./cloudevents.js";
import { eventHandlers, UnexpectedEventError } from "./event-handlers.js";
import { eventRegistry } from "./event-registry.js";
import type { CloudEvent, OutgoingEvent } from "./port.js";

/** An event as a consumer receives it: encoded and decoded by the codec, as every adapter does. */
function delivered(event: OutgoingEvent): CloudEvent {
  const { attributes, body } = encodeEvent(event, "/test");
  return decodeEvent(attributes, body, eventRegistry);
}

const deleted = delivered({ schema: UserDeletedSchema, data: { userId: "u1" } });
const processed = delivered({ schema: ImageProcessedSchema, data: { imageId: "i1", ownerId: "u1" } });

describe("eventHandlers: one handler per event type, checked against its schema", () => {
  it("hands each event to the handler of its type, with typed data and the consumer's arguments", async () => {
    const seen: string[] = [];
    const handle = eventHandlers<[string]>()
      .on(
        UserDeletedSchema,
        async (data, event, tag) => void seen.push(`${tag}:deleted:${data.userId}:${event.id}`),
      )
      .on(
        ImageProcessedSchema,
        async (data, _event, tag) => void seen.push(`${tag}:processed:${data.imageId}`),
      )
      .ignoringOthers();
    await handle(deleted, "a");
    await handle(processed, "b");
    expect(seen).toEqual([`a:deleted:u1:${deleted.id}`, "b:processed:i1"]);
  });

  it("ignoringOthers acknowledges an event no handler is registered for, running nothing", async () => {
    const seen: string[] = [];
    const handlers = eventHandlers().on(UserDeletedSchema, async () => void seen.push("deleted"));
    await expect(handlers.ignoringOthers()(processed)).resolves.toBeUndefined();
    expect(await handlers.dispatch(processed)).toBe(false);
    expect(seen).toEqual([]);
  });

  it("rejectingOthers throws UnexpectedEventError for such an event (a work queue dead-letters it)", async () => {
    const handle = eventHandlers()
      .on(UserDeletedSchema, async () => undefined)
      .rejectingOthers();
    await expect(handle(processed)).rejects.toBeInstanceOf(UnexpectedEventError);
    await expect(handle(deleted)).resolves.toBeUndefined();
  });

  it("refuses data that is not the message its type names, rather than casting it", async () => {
    const lying: CloudEvent = { ...deleted, data: create(UserCreatedSchema, {}) };
    const handle = eventHandlers()
      .on(UserDeletedSchema, async () => undefined)
      .ignoringOthers();
    await expect(handle(lying)).rejects.toThrow(/does not carry switchboard.events.v1.UserDeleted/);
  });

  it("lets a handler's error through, so the broker redelivers", async () => {
    const handle = eventHandlers()
      .on(UserDeletedSchema, async () => {
        throw new Error("database down");
      })
      .ignoringOthers();
    await expect(handle(deleted)).rejects.toThrow("database down");
  });

  it("refuses a second handler for one type", () => {
    const handlers = eventHandlers().on(UserDeletedSchema, async () => undefined);
    expect(() => handlers.on(UserDeletedSchema, async () => undefined)).toThrow(/already has a handler/);
    expect(handlers.handles(UserDeletedSchema.typeName)).toBe(true);
    expect(handlers.handles(ImageProcessedSchema.typeName)).toBe(false);
  });
});
