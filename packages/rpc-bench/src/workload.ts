import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type GetUserResponse,
  GetUserResponseSchema,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";

/** What every server in the benchmark is asked to do: the same messages, the same sizes. */
export const KiB = 1024;
export const MiB = 1024 * KiB;

/** The one user the bare servers answer GetUser with, from memory (the "cached" GetUser). */
export const USER_ID = "6f1c2d9e-3b4a-4c5d-8e7f-0a1b2c3d4e5f";
export const cachedUser: GetUserResponse = create(GetUserResponseSchema, {
  user: {
    id: USER_ID,
    name: "Ada Lovelace",
    email: "ada@example.com",
    createTime: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
    updateTime: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
    version: 1n,
  },
});

/** A 1 KiB text for the echo row. */
export const ECHO_TEXT = "x".repeat(KiB);
/** Messages in the server-stream row. */
export const STREAM_COUNT = 1000;
/** The client-stream upload: total bytes and chunk size. */
export const UPLOAD_BYTES = 32 * MiB;
export const UPLOAD_CHUNK = 64 * KiB;
