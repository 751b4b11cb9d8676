import type { IHeaders } from "kafkajs";
import { type EventAttributes, prefixed, unprefixed } from "../cloudevents.js";

/**
 * The CloudEvents Kafka protocol binding, binary content mode: every context attribute becomes a
 * `ce_<name>` header, except `datacontenttype`, which travels as the record's `content-type`
 * header. The record value is the bare protobuf data and the key is the event's subject.
 */

export const KAFKA_PREFIX = "ce_";
export const KAFKA_CONTENT_TYPE_HEADER = "content-type";

/** The headers of a record carrying an event with these attributes. */
export function toKafkaHeaders(attributes: EventAttributes): Record<string, string> {
  const { datacontenttype, ...rest } = attributes;
  return {
    ...prefixed(rest, KAFKA_PREFIX),
    ...(datacontenttype !== undefined ? { [KAFKA_CONTENT_TYPE_HEADER]: datacontenttype } : {}),
  };
}

/** The event attributes carried by a record's headers (other headers are ignored). */
export function fromKafkaHeaders(headers: IHeaders | undefined): EventAttributes {
  const strings = headerStrings(headers);
  const attributes = unprefixed(strings, KAFKA_PREFIX);
  // A stray ce_datacontenttype must not override the binding's own header.
  delete attributes.datacontenttype;
  const contentType = strings[KAFKA_CONTENT_TYPE_HEADER];
  if (contentType !== undefined) attributes.datacontenttype = contentType;
  return attributes;
}

/** Header values as UTF-8 strings; a header repeated in one record keeps its last value. */
export function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    strings[name] = Buffer.isBuffer(last) ? last.toString("utf8") : String(last);
  }
  return strings;
}
