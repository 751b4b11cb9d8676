import type { DescMethodStreaming, DescMethodUnary } from "@bufbuild/protobuf";
import { toJson } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { transcodeRequest } from "@switchboard/http-transcoding";
import {
  type Notification,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import {
  type ListNotificationsResponse,
  NotificationService,
  type SubscribeRequest,
  type SubscribeResponse,
} from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { sendStatus, statusOf } from "../errors.js";
import { single } from "./list-page.js";
import type { RouteCall } from "./rest.js";

export interface SseOptions {
  heartbeatMs: number;
  maxPerClient: number;
  /** How far back Last-Event-ID is looked for in the history. */
  maxReplay?: number;
}

/**
 * GET /v1/users/{user_id}/notifications:subscribe as server-sent events: one `notification`
 * event per notification (id = the notification's id), heartbeat comments, and a reconnecting
 * client's Last-Event-ID answered first with what it missed, from ListNotifications.
 */
export function subscribeSse(options: SseOptions) {
  const open = new Map<string, number>();
  return async (call: RouteCall) => {
    const input = transcodeRequest<SubscribeRequest>(call.route, {
      bindings: call.bindings,
      query: call.query,
      body: undefined,
    });
    const client = call.request.ip;
    if ((open.get(client) ?? 0) >= options.maxPerClient)
      return sendStatus(
        call.reply,
        429,
        Code.ResourceExhausted,
        `at most ${options.maxPerClient} event streams per client`,
      );
    const lastEventId = header(call, "last-event-id");
    const abort = new AbortController();
    call.signal.addEventListener("abort", () => abort.abort());
    // Live first, then history: nothing delivered in between is lost (duplicates are skipped by id).
    // Not awaited yet: the stream's headers only come with its first notification.
    const live = call.backend.transport.stream(
      call.route.method as DescMethodStreaming,
      abort.signal,
      0, // no deadline: a subscription lasts as long as the client stays
      call.headers,
      single(input),
    );
    live.catch(() => {}); // its failure is reported on the event stream below
    let missed: Notification[];
    try {
      // The history call also proves the backend is up before the 200 goes out (else 503 as JSON).
      missed = await missedSince(call, input.userId, lastEventId, options);
    } catch (error) {
      abort.abort();
      throw error;
    }

    open.set(client, (open.get(client) ?? 0) + 1);
    const raw = call.reply.raw;
    call.reply.hijack();
    for (const [name, value] of Object.entries(call.reply.getHeaders()))
      if (value !== undefined) raw.setHeader(name, value);
    raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    raw.write("retry: 2000\n\n");
    const sent = new Set<string>();
    const send = (n: Notification) => {
      if (sent.has(n.id)) return;
      sent.add(n.id);
      raw.write(
        `id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(toJson(NotificationSchema, n))}\n\n`,
      );
    };
    const heartbeat = setInterval(() => raw.write(": heartbeat\n\n"), options.heartbeatMs);
    raw.once("close", () => abort.abort());
    try {
      for (const n of missed) send(n);
      for await (const message of (await live).message as AsyncIterable<SubscribeResponse>)
        if (message.notification) send(message.notification);
    } catch (error) {
      if (!abort.signal.aborted) raw.write(`event: error\ndata: ${JSON.stringify(statusOf(error).body)}\n\n`);
    } finally {
      clearInterval(heartbeat);
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
      raw.end();
    }
  };
}

function header(call: RouteCall, name: string): string | undefined {
  const value = call.request.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Notifications newer than `lastEventId`, oldest first (none without one). */
async function missedSince(
  call: RouteCall,
  userId: string,
  lastEventId: string | undefined,
  options: SseOptions,
) {
  const newer: Notification[] = [];
  let pageToken = "";
  const limit = options.maxReplay ?? 1000;
  do {
    const response = await call.backend.transport.unary(
      NotificationService.method.listNotifications as DescMethodUnary,
      call.signal,
      call.limits.timeoutMs,
      call.headers,
      { userId, pageSize: lastEventId ? 100 : 1, pageToken },
    );
    const page = response.message as ListNotificationsResponse;
    if (!lastEventId) return [];
    for (const n of page.notifications) {
      if (n.id === lastEventId) return newer.reverse();
      newer.push(n);
    }
    pageToken = page.nextPageToken;
  } while (pageToken && newer.length < limit);
  return newer.reverse(); // the id is gone from history: send what there is
}
