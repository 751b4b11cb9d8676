import { randomUUID } from "node:crypto";
import { create, type DescMessage, fromBinary, type Registry, toBinary } from "@bufbuild/protobuf";
import type { CloudEvent, OutgoingEvent } from "./port.js";

/**
 * CloudEvents 1.0 in binary content mode with protobuf data: the attributes travel as broker
 * metadata (Kafka headers, AMQP application properties, MQTT 5 user properties — each binding
 * adds its own prefix) and the body is the bare protobuf message.
 */

export const SPEC_VERSION = "1.0";
export const PROTOBUF_CONTENT_TYPE = "application/protobuf";

/** The context attributes of an event, unprefixed, all as strings (the bindings' form). */
export type EventAttributes = Record<string, string>;

export interface EncodedEvent {
  attributes: EventAttributes;
  body: Uint8Array;
  event: CloudEvent;
}

const REQUIRED = ["id", "source", "type", "specversion"] as const;
const KNOWN = new Set(["id", "source", "type", "specversion", "subject", "time", "datacontenttype"]);

/** Fills in id and time, and serializes the data: what every adapter publishes. */
export function encodeEvent<Desc extends DescMessage>(
  event: OutgoingEvent<Desc>,
  source: string,
): EncodedEvent {
  const cloudEvent: CloudEvent = {
    id: event.id ?? randomUUID(),
    source,
    type: event.schema.typeName,
    time: event.time ?? new Date(),
    datacontenttype: PROTOBUF_CONTENT_TYPE,
    extensions: { ...event.extensions },
    data: create(event.schema, event.data as never),
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
  };
  const attributes: EventAttributes = {
    specversion: SPEC_VERSION,
    id: cloudEvent.id,
    source,
    type: cloudEvent.type,
    time: cloudEvent.time.toISOString(),
    datacontenttype: PROTOBUF_CONTENT_TYPE,
    ...(cloudEvent.subject !== undefined ? { subject: cloudEvent.subject } : {}),
    ...cloudEvent.extensions,
  };
  return { attributes, body: toBinary(event.schema, cloudEvent.data as never), event: cloudEvent };
}

export class EventDecodeError extends Error {
  override name = "EventDecodeError";
}

/**
 * Rebuilds the event from a binding's attributes and body, decoding the data with the message
 * type named by `type`, looked up in `registry`. Throws EventDecodeError for anything malformed:
 * such a message can never succeed, so consumers dead-letter it instead of retrying.
 */
export function decodeEvent(attributes: EventAttributes, body: Uint8Array, registry: Registry): CloudEvent {
  for (const name of REQUIRED) {
    if (!attributes[name]) throw new EventDecodeError(`missing CloudEvents attribute "${name}"`);
  }
  if (attributes.specversion !== SPEC_VERSION) {
    throw new EventDecodeError(`unsupported specversion "${attributes.specversion}"`);
  }
  const contentType = attributes.datacontenttype ?? PROTOBUF_CONTENT_TYPE;
  if (contentType !== PROTOBUF_CONTENT_TYPE) {
    throw new EventDecodeError(`unsupported datacontenttype "${contentType}"`);
  }
  const type = attributes.type as string;
  const schema = registry.getMessage(type);
  if (!schema) throw new EventDecodeError(`unknown event type "${type}"`);
  let data: unknown;
  try {
    data = fromBinary(schema, body);
  } catch (error) {
    throw new EventDecodeError(`cannot decode ${type}: ${(error as Error).message}`);
  }
  const time = attributes.time ? new Date(attributes.time) : new Date(0);
  if (Number.isNaN(time.getTime())) throw new EventDecodeError(`bad time "${attributes.time}"`);
  const extensions: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) if (!KNOWN.has(name)) extensions[name] = value;
  return {
    id: attributes.id as string,
    source: attributes.source as string,
    type,
    time,
    datacontenttype: contentType,
    extensions,
    data,
    ...(attributes.subject ? { subject: attributes.subject } : {}),
  };
}

/** Adds a binding's prefix to every attribute name (Kafka "ce_", AMQP "cloudEvents:"). */
export function prefixed(attributes: EventAttributes, prefix: string): EventAttributes {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [prefix + name, value]));
}

/** Takes the attributes carrying `prefix` back out of a binding's metadata; other entries are ignored. */
export function unprefixed(metadata: Record<string, unknown>, prefix: string): EventAttributes {
  const attributes: EventAttributes = {};
  for (const [name, value] of Object.entries(metadata)) {
    if (!name.startsWith(prefix) || value === undefined || value === null) continue;
    attributes[name.slice(prefix.length)] = Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
  }
  return attributes;
}
