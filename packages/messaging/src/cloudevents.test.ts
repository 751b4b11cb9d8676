import { createRegistry } from "@bufbuild/protobuf";
import {
  EchoRequestSchema,
  file_switchboard_echo_v1_echo,
} from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { describe, expect, it } from "vitest";
import { decodeEvent, EventDecodeError, encodeEvent, prefixed, unprefixed } from "./cloudevents.js";

const registry = createRegistry(file_switchboard_echo_v1_echo);

describe("CloudEvents codec (binary mode, protobuf data)", () => {
  it("encodes the attributes as strings and the data as protobuf, and decodes them back", () => {
    const time = new Date("2026-01-02T03:04:05.006Z");
    const { attributes, body } = encodeEvent(
      {
        schema: EchoRequestSchema,
        data: { text: "hi" },
        subject: "k1",
        id: "e1",
        time,
        extensions: { traceparent: "t" },
      },
      "/test",
    );
    expect(attributes).toEqual({
      specversion: "1.0",
      id: "e1",
      source: "/test",
      type: "switchboard.echo.v1.EchoRequest",
      time: "2026-01-02T03:04:05.006Z",
      datacontenttype: "application/protobuf",
      subject: "k1",
      traceparent: "t",
    });
    const event = decodeEvent(attributes, body, registry);
    expect(event).toMatchObject({
      id: "e1",
      subject: "k1",
      extensions: { traceparent: "t" },
      data: { text: "hi" },
    });
    expect(event.time).toEqual(time);
  });

  it("maps binding prefixes both ways, ignoring other metadata", () => {
    const withPrefix = prefixed({ id: "1", type: "t" }, "ce_");
    expect(withPrefix).toEqual({ ce_id: "1", ce_type: "t" });
    expect(unprefixed({ ...withPrefix, other: "x", ce_buf: Buffer.from("b") }, "ce_")).toEqual({
      id: "1",
      type: "t",
      buf: "b",
    });
  });

  it.each([
    ["a missing id", { specversion: "1.0", source: "/s", type: "switchboard.echo.v1.EchoRequest" }, /"id"/],
    [
      "another spec version",
      { specversion: "0.3", id: "1", source: "/s", type: "switchboard.echo.v1.EchoRequest" },
      /specversion/,
    ],
    ["an unknown type", { specversion: "1.0", id: "1", source: "/s", type: "no.Such" }, /unknown event type/],
    [
      "JSON data",
      {
        specversion: "1.0",
        id: "1",
        source: "/s",
        type: "switchboard.echo.v1.EchoRequest",
        datacontenttype: "application/json",
      },
      /datacontenttype/,
    ],
  ])("refuses %s with an EventDecodeError", (_case, attributes, message) => {
    expect(() => decodeEvent(attributes, new Uint8Array(), registry)).toThrow(EventDecodeError);
    expect(() => decodeEvent(attributes, new Uint8Array(), registry)).toThrow(message);
  });

  it("refuses a body that is not the named message", () => {
    const attributes = { specversion: "1.0", id: "1", source: "/s", type: "switchboard.echo.v1.EchoRequest" };
    expect(() => decodeEvent(attributes, new Uint8Array([0x0a, 0xff, 0xff]), registry)).toThrow(
      /cannot decode/,
    );
  });
});
