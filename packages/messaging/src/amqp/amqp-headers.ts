import { type EventAttributes, prefixed, unprefixed } from "../cloudevents.js";

/**
 * The CloudEvents AMQP protocol binding, binary content mode: every context attribute becomes an
 * application property `cloudEvents:<name>`, except `datacontenttype`, which travels as the
 * message's content-type property. The body is the bare protobuf data.
 */
export const AMQP_PREFIX = "cloudEvents:";

export function toAmqpHeaders(attributes: EventAttributes): {
  headers: Record<string, string>;
  contentType?: string;
} {
  const { datacontenttype, ...rest } = attributes;
  return {
    headers: prefixed(rest, AMQP_PREFIX),
    ...(datacontenttype ? { contentType: datacontenttype } : {}),
  };
}

export function fromAmqpHeaders(
  headers: Record<string, unknown> | undefined,
  contentType: string | undefined,
) {
  const attributes = unprefixed(headers ?? {}, AMQP_PREFIX);
  delete attributes.datacontenttype;
  if (contentType) attributes.datacontenttype = contentType;
  return attributes;
}
