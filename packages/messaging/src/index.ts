// The public surface of @switchboard/messaging, by name: the port, its three adapters, the
// CloudEvents codec, the channels, and the transactional outbox and inbox.

// The adapters, one folder each.
export { AmqpBroker, type AmqpBrokerOptions } from "./amqp/amqp-broker.js";
export {
  IMAGE_JOBS_QUEUE,
  IMAGES_TOPIC,
  NOTIFICATIONS_QUEUE,
  notificationTopic,
  USERS_TOPIC,
} from "./channels.js";
// CloudEvents (binary mode, protobuf data) and the event types.
export {
  decodeEvent,
  type EncodedEvent,
  type EventAttributes,
  EventDecodeError,
  encodeEvent,
  PROTOBUF_CONTENT_TYPE,
  SPEC_VERSION,
} from "./cloudevents.js";
export {
  EventHandlers,
  eventHandlers,
  type TypedEventHandler,
  UnexpectedEventError,
} from "./event-handlers.js";
export { eventRegistry } from "./event-registry.js";
// The transactional outbox (unit of work, relay) and the consumer inbox.
export { INBOX_KEEP_MS, Inbox, inboxMigrations } from "./inbox.js";
export {
  KAFKA_CONTENT_TYPE_HEADER,
  KAFKA_DEAD_LETTER_SUFFIX,
  KAFKA_ERROR_MESSAGE_HEADER,
  KAFKA_ORIGIN_HEADER,
  KAFKA_PREFIX,
  KafkaBroker,
  type KafkaBrokerOptions,
  type KafkaHandlerRetry,
} from "./kafka/kafka-broker.js";
export {
  DynamicSecurity,
  type DynamicSecurityOptions,
  type DynsecCommand,
  type DynsecResponse,
} from "./mqtt/dynamic-security.js";
export { type MqttAccount, MqttBroker, type MqttBrokerOptions } from "./mqtt/mqtt-broker.js";
export { type PersonAccount, PersonAccounts } from "./mqtt/person-accounts.js";
export { type Presence, type PresenceOptions, presenceTopic, startPresence } from "./mqtt/presence.js";
export { addToOutbox, outboxMigrations, pruneOutbox } from "./outbox.js";
export { OutboxRelay, type OutboxRelayOptions } from "./outbox-relay.js";
export { Outbox, type OutboxOptions, type UnitOfWork } from "./outbox-unit-of-work.js";
// The port every service uses, and the channels they share.
export type {
  CloudEvent,
  Delivery,
  EventHandler,
  MessageBroker,
  OutgoingEvent,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  Topics,
} from "./port.js";
export {
  type AppShutdown,
  ServiceBase,
  type ServiceBaseOptions,
  type ServiceBaseSettings,
} from "./service-base.js";
export { TopicRouter } from "./topic-router.js";
export { subscribeWhenReachable, type WhenReachableOptions } from "./when-reachable.js";
