import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { decodePageCursor, encodePageCursor } from "./page-cursor.js";

describe("page cursors", () => {
  it("round-trip the time (to the millisecond) and the id", () => {
    const cursor = { time: new Date("2026-11-22T10:11:12.345Z"), id: "0b7d2c4e-5f60-4a1b-9c2d-3e4f5a6b7c8d" };
    expect(decodePageCursor(encodePageCursor(cursor))).toEqual(cursor);
  });

  it("read an empty token as the first page", () => {
    expect(decodePageCursor("")).toBeUndefined();
  });

  it.each([
    "garbage!",
    Buffer.from("[1,2]").toString("base64url"),
    Buffer.from('["x","id"]').toString("base64url"),
    Buffer.from('["2026-11-22T10:11:12.345Z","not-a-uuid"]').toString("base64url"),
  ])("reject a token this service did not issue: %s", (token) => {
    const error = (() => {
      try {
        decodePageCursor(token);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
  });
});
