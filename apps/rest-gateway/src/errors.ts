import { createRegistry, fromBinary, type JsonObject, toJson } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestError,
  codeOfHttpStatus,
  type FieldViolation,
  httpStatusOf,
} from "@switchboard/http-transcoding";
import { file_google_rpc_error_details } from "@switchboard/proto/google/rpc/error_details_pb.js";
import type { FastifyReply } from "fastify";

const details = createRegistry(file_google_rpc_error_details);
const TYPE_URL = "type.googleapis.com/";

/** A google.rpc.Status as proto3 JSON: the body of every error the gateway answers. */
export interface StatusJson {
  code: Code;
  message: string;
  details: JsonObject[];
}

export function badRequestDetail(violations: FieldViolation[]): JsonObject {
  return {
    "@type": `${TYPE_URL}google.rpc.BadRequest`,
    fieldViolations: violations as unknown as JsonObject[],
  };
}

/** Any error → (HTTP status, google.rpc.Status). Unknown errors say nothing of their insides. */
export function statusOf(error: unknown): { http: number; body: StatusJson } {
  if (error instanceof BadRequestError)
    return {
      http: 400,
      body: {
        code: Code.InvalidArgument,
        message: error.message,
        details: [badRequestDetail(error.violations)],
      },
    };
  if (error instanceof ConnectError)
    return {
      http: httpStatusOf(error.code),
      body: { code: error.code, message: error.rawMessage, details: error.details.flatMap(detailJson) },
    };
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500)
    return {
      http: status,
      body: { code: codeOfHttpStatus(status), message: (error as Error).message, details: [] },
    };
  return { http: 500, body: { code: Code.Internal, message: "internal error", details: [] } };
}

/** A backend's error detail as JSON with "@type" (decoded when it is a google.rpc detail we know). */
function detailJson(detail: ConnectError["details"][number]): JsonObject[] {
  if (!("type" in detail) || !(detail.value instanceof Uint8Array)) return [];
  const schema = details.getMessage(detail.type);
  if (!schema)
    return [{ "@type": TYPE_URL + detail.type, value: Buffer.from(detail.value).toString("base64") }];
  return [
    { "@type": TYPE_URL + detail.type, ...(toJson(schema, fromBinary(schema, detail.value)) as JsonObject) },
  ];
}

/**
 * A 401 names the scheme it wants (RFC 6750 §3): `Bearer`, and `error="invalid_token"` when the
 * request carried credentials that were refused (none sent: no error code, as the RFC says).
 */
function challenge(reply: FastifyReply, http: number): FastifyReply {
  if (http !== 401) return reply;
  const sent = reply.request.headers.authorization !== undefined;
  return reply.header(
    "www-authenticate",
    sent ? 'Bearer realm="switchboard", error="invalid_token"' : 'Bearer realm="switchboard"',
  );
}

export function sendStatus(
  reply: FastifyReply,
  http: number,
  code: Code,
  message: string,
  extra: JsonObject[] = [],
) {
  return challenge(reply, http)
    .code(http)
    .type("application/json")
    .send({ code, message, details: extra } satisfies StatusJson);
}

export function sendError(reply: FastifyReply, error: unknown) {
  const { http, body } = statusOf(error);
  return challenge(reply, http).code(http).type("application/json").send(body);
}
