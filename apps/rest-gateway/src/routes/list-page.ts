import type { DescMethodStreaming, Message } from "@bufbuild/protobuf";
import { toJson } from "@bufbuild/protobuf";
import { transcodeRequest } from "@switchboard/http-transcoding";
import { UserSchema } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import type { ListUsersResponse } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import type { RouteCall } from "./rest.js";

/** ListUsers streams; over REST it is one page: `{"users": [...], "nextPageToken": "..."}`. */
export function listUsersPage(defaultPageSize = 50) {
  return async (call: RouteCall) => {
    const input = transcodeRequest<Message & { pageSize: number }>(call.route, {
      bindings: call.bindings,
      query: call.query,
      body: undefined,
    });
    // page_size 0 streams every user over gRPC; a REST page is bounded.
    if (input.pageSize === 0) input.pageSize = defaultPageSize;
    const response = await call.backend.transport.stream(
      call.route.method as DescMethodStreaming,
      call.signal,
      call.limits.timeoutMs,
      call.headers,
      single(input),
    );
    const users: unknown[] = [];
    let nextPageToken = "";
    for await (const message of response.message as AsyncIterable<ListUsersResponse>) {
      if (message.user) users.push(toJson(UserSchema, message.user));
      if (message.nextPageToken) nextPageToken = message.nextPageToken;
    }
    return call.reply.type("application/json").send({ users, nextPageToken });
  };
}

export async function* single<T>(value: T): AsyncIterable<T> {
  yield value;
}
