import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";

/** The test service: every call kind, no business logic. "fail" as text fails the call. */
export const echoService: ServiceImpl<typeof EchoService> = {
  echo(request) {
    if (request.text === "fail") throw new ConnectError("asked to fail", Code.FailedPrecondition);
    return { text: request.text };
  },
  async *echoMany(request, context) {
    for (let index = 0; index < request.count; index++) {
      if (index > 0 && request.intervalMs > 0)
        await sleep(request.intervalMs, undefined, { signal: context.signal });
      yield { text: request.text, index };
    }
  },
  async echoCollect(requests) {
    const texts: string[] = [];
    for await (const request of requests) texts.push(request.text);
    return { text: texts.join(" "), count: texts.length };
  },
  async *echoChat(requests) {
    for await (const request of requests) yield { text: request.text };
  },
};
