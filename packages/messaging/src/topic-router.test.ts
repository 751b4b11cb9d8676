import { create } from "@bufbuild/protobuf";
import { UserDeletedSchema } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import { describe, expect, it } from "vitest";
import { encodeEvent } from "./cloudevents.js";
import type { MessageBroker, OutgoingEvent, Topics } from "./port.js";
import { TopicRouter } from "./topic-router.js";

/** A broker that records what it was asked to publish (the router's only collaborator). */
function recordingBroker(kind: string) {
  const published: string[] = [];
  /** The topics of each subscribe call, and how many subscriptions were closed. */
  const subscribed: Topics[] = [];
  let closed = 0;
  const broker: MessageBroker = {
    kind,
    async publish(topic: string, event: OutgoingEvent) {
      published.push(topic);
      return encodeEvent(event, "/test").event;
    },
    async subscribe(topics: Topics) {
      subscribed.push(topics);
      return {
        close: async () => {
          closed++;
        },
      };
    },
    async close() {},
  };
  return { broker, published, subscribed, closed: () => closed };
}

describe("TopicRouter", () => {
  it("sends a routed topic to its broker and every other topic to the default", async () => {
    const kafka = recordingBroker("kafka");
    const amqp = recordingBroker("amqp");
    const router = new TopicRouter(kafka.broker, { "images.process": amqp.broker });
    const event = { schema: UserDeletedSchema, data: create(UserDeletedSchema, { userId: "u1" }) };

    await router.publish("switchboard.images.v1", event);
    await router.publish("images.process", event);

    expect(kafka.published).toEqual(["switchboard.images.v1"]);
    expect(amqp.published).toEqual(["images.process"]);
    expect(router.brokerFor("anything").kind).toBe("kafka");
  });

  it("subscribes each broker to its own topics in one call (a Kafka group reads its topics as one member), and closes them all", async () => {
    const kafka = recordingBroker("kafka");
    const amqp = recordingBroker("amqp");
    const router = new TopicRouter(kafka.broker, { "images.process": amqp.broker });
    const subscription = await router.subscribe(
      ["switchboard.users.v1", "images.process", "switchboard.images.v1"],
      async () => {},
      { group: "g" },
    );
    expect(kafka.subscribed).toEqual([["switchboard.users.v1", "switchboard.images.v1"]]);
    expect(amqp.subscribed).toEqual([["images.process"]]);
    await subscription.close();
    expect([kafka.closed(), amqp.closed()]).toEqual([1, 1]);
  });
});
