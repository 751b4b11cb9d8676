import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { isUnavailable } from "./grpc-client.js";

describe("isUnavailable: the failures a client may retry because the server processed nothing", () => {
  it("counts UNAVAILABLE and a refused HTTP/2 stream (which connect-node reports as INTERNAL)", () => {
    expect(isUnavailable(new ConnectError("connect ECONNREFUSED", Code.Unavailable))).toBe(true);
    const refused = new ConnectError("Stream closed with error code NGHTTP2_REFUSED_STREAM", Code.Internal);
    expect(isUnavailable(refused)).toBe(true);
  });

  it("does not count other failures, which may have been processed", () => {
    expect(isUnavailable(new ConnectError("boom", Code.Internal))).toBe(false);
    expect(isUnavailable(new ConnectError("late", Code.DeadlineExceeded))).toBe(false);
    expect(isUnavailable(new Error("plain"))).toBe(false);
  });
});
