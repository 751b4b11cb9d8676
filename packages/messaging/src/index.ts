export * from "./amqp-broker.js";
export * from "./cloudevents.js";
export * from "./event-registry.js";
export * from "./inbox.js";
export * from "./kafka-broker.js";
export * from "./mqtt-broker.js";
export * from "./outbox.js";
export * from "./port.js";
