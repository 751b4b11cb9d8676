import { randomBytes } from "node:crypto";
import * as http2 from "node:http2";
import {
  type DescField,
  type DescMessage,
  type DescMethod,
  type DescService,
  ScalarType,
} from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { rawGrpcCall } from "./raw-grpc.js";

/** One malformed request: its name (for the failure message) and its messages' bytes. */
export interface HostileRequest {
  name: string;
  messages: Uint8Array[];
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** Lone continuation bytes and an overlong encoding: never valid UTF-8. */
const BAD_UTF8 = Uint8Array.from([0xc3, 0x28, 0xff, 0xfe, 0xc0, 0xaf]);
const HUGE_STRING = "界".repeat(300 * KiB); // ~900 KiB of valid 3-byte UTF-8

type Filler = (writer: BinaryWriter, field: DescField, depth: number) => void;

/**
 * Requests built from `message`'s descriptor that a client must never be able to turn into
 * INTERNAL or UNKNOWN: empty, random bytes, every field at hostile values (huge strings, extreme
 * numbers, enum values that do not exist), bad UTF-8 in every string, every field on the wrong
 * wire type, unknown fields, truncated, and larger than any server accepts.
 */
export function hostileMessages(message: DescMessage): HostileRequest[] {
  const extremes = encode(message, fillExtreme);
  return [
    { name: "empty message", messages: [new Uint8Array()] },
    { name: "random bytes", messages: [randomBytes(97)] },
    { name: "extreme values in every field", messages: [extremes] },
    { name: "bad UTF-8 in every string", messages: [encode(message, fillBadUtf8)] },
    { name: "wrong wire type on every field", messages: [wrongWireTypes(message)] },
    { name: "unknown fields only", messages: [unknownFields()] },
    {
      name: "truncated message",
      messages: [extremes.subarray(0, Math.max(1, Math.floor(extremes.length / 2)) - 1)],
    },
    { name: "oversized message (5 MiB)", messages: [oversized(5 * MiB)] },
    {
      name: "many small hostile messages",
      messages: [extremes, new Uint8Array(), encode(message, fillBadUtf8)],
    },
  ];
}

function encode(message: DescMessage, fill: Filler, depth = 0): Uint8Array {
  const writer = new BinaryWriter();
  for (const field of message.fields) fill(writer, field, depth);
  return writer.finish();
}

const fillExtreme: Filler = (writer, field, depth) => {
  const repeats = field.fieldKind === "list" ? 3 : 1;
  for (let i = 0; i < repeats; i++) {
    if (field.fieldKind === "map") {
      const entry = new BinaryWriter();
      entry.tag(1, WireType.LengthDelimited).string("k".repeat(10 * KiB));
      entry.tag(2, WireType.LengthDelimited).bytes(BAD_UTF8);
      writer.tag(field.number, WireType.LengthDelimited).bytes(entry.finish());
      continue;
    }
    const scalar =
      field.fieldKind === "scalar" || (field.fieldKind === "list" && field.listKind === "scalar")
        ? field.scalar
        : undefined;
    const isEnum = field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum");
    const nested =
      field.fieldKind === "message"
        ? field.message
        : field.fieldKind === "list" && field.listKind === "message"
          ? field.message
          : undefined;
    if (nested) {
      if (depth < 3)
        writer.tag(field.number, WireType.LengthDelimited).bytes(encode(nested, fillExtreme, depth + 1));
    } else if (isEnum) {
      writer.tag(field.number, WireType.Varint).int32(i % 2 === 0 ? 12345 : -7);
    } else if (scalar !== undefined) {
      writeExtremeScalar(writer, field.number, scalar, i);
    }
  }
};

function writeExtremeScalar(writer: BinaryWriter, number: number, scalar: ScalarType, variant: number): void {
  switch (scalar) {
    case ScalarType.STRING:
      writer
        .tag(number, WireType.LengthDelimited)
        .string(variant === 0 ? HUGE_STRING : "\u0000\u202e<script>");
      return;
    case ScalarType.BYTES:
      writer.tag(number, WireType.LengthDelimited).bytes(new Uint8Array(variant === 0 ? 512 * KiB : 0));
      return;
    case ScalarType.BOOL:
      writer.tag(number, WireType.Varint).uint64("18446744073709551615"); // a bool of all ones
      return;
    case ScalarType.DOUBLE:
      writer.tag(number, WireType.Bit64).double(variant === 0 ? Number.NaN : -Number.MAX_VALUE);
      return;
    case ScalarType.FLOAT:
      writer.tag(number, WireType.Bit32).float(Number.POSITIVE_INFINITY);
      return;
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      writer.tag(number, WireType.Bit32).fixed32(0xffffffff);
      return;
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      writer.tag(number, WireType.Bit64).fixed64("18446744073709551615");
      return;
    default:
      // int32/int64/uint32/uint64/sint32/sint64: the widest varint, and a negative one.
      writer
        .tag(number, WireType.Varint)
        .uint64(variant === 0 ? "18446744073709551615" : "9223372036854775808");
  }
}

const fillBadUtf8: Filler = (writer, field, depth) => {
  if (field.fieldKind === "map") {
    const entry = new BinaryWriter();
    entry.tag(1, WireType.LengthDelimited).bytes(BAD_UTF8);
    entry.tag(2, WireType.LengthDelimited).bytes(BAD_UTF8);
    writer.tag(field.number, WireType.LengthDelimited).bytes(entry.finish());
    return;
  }
  const nested =
    field.fieldKind === "message"
      ? field.message
      : field.fieldKind === "list" && field.listKind === "message"
        ? field.message
        : undefined;
  if (nested && depth < 3)
    writer.tag(field.number, WireType.LengthDelimited).bytes(encode(nested, fillBadUtf8, depth + 1));
  const scalar =
    field.fieldKind === "scalar" || (field.fieldKind === "list" && field.listKind === "scalar")
      ? field.scalar
      : undefined;
  if (scalar === ScalarType.STRING) writer.tag(field.number, WireType.LengthDelimited).bytes(BAD_UTF8);
};

/** Every field number with a wire type other than its own: varint for length-delimited, and the other way round. */
function wrongWireTypes(message: DescMessage): Uint8Array {
  const writer = new BinaryWriter();
  for (const field of message.fields) {
    const lengthDelimited =
      field.fieldKind === "message" ||
      field.fieldKind === "map" ||
      ((field.fieldKind === "scalar" || field.fieldKind === "list") &&
        (field.scalar === ScalarType.STRING || field.scalar === ScalarType.BYTES)) ||
      (field.fieldKind === "list" && field.listKind === "message");
    if (lengthDelimited) writer.tag(field.number, WireType.Varint).int32(1);
    else writer.tag(field.number, WireType.LengthDelimited).bytes(Uint8Array.of(1, 2, 3));
    writer.tag(field.number, WireType.Bit32).fixed32(7);
  }
  return writer.finish();
}

function unknownFields(): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(9999, WireType.Varint).int32(1);
  writer.tag(536870911, WireType.LengthDelimited).string("the largest field number");
  return writer.finish();
}

function oversized(bytes: number): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).bytes(new Uint8Array(bytes));
  return writer.finish();
}

/** Every method of `services` with every hostile request for its input. */
export function hostileCalls(
  services: readonly DescService[],
): { method: DescMethod; request: HostileRequest }[] {
  return services.flatMap((service) =>
    service.methods.flatMap((method) =>
      hostileMessages(method.input).map((request) => ({ method, request })),
    ),
  );
}

/** One hostile call and how the server answered it. */
export interface HostileOutcome {
  call: string;
  status: number;
  message: string;
}

/**
 * Sends every hostile request to every method of `services` at `baseUrl` (a few at a time, each on
 * its own connection so one call's fate cannot spoil another's) and returns how each ended.
 */
export async function sendHostileCalls(
  baseUrl: string,
  services: readonly DescService[],
  /** token: a bearer token sent with every call, so that the calls reach validation and the handlers. */
  options: { timeoutMs?: number; concurrency?: number; token?: string } = {},
): Promise<HostileOutcome[]> {
  const headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const calls = hostileCalls(services);
  const outcomes: HostileOutcome[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < calls.length; index = next++) {
      const { method, request } = calls[index] as (typeof calls)[number];
      const session = http2.connect(baseUrl);
      session.on("error", () => {});
      try {
        const outcome = await rawGrpcCall(
          session,
          method,
          request.messages,
          options.timeoutMs ?? 1_000,
          headers,
        );
        outcomes.push({ call: `${method.parent.typeName}/${method.name}: ${request.name}`, ...outcome });
      } finally {
        session.close();
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return outcomes;
}
