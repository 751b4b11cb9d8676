import { describe, expect, it } from "vitest";
import { formatLogLine } from "./start-support.js";

describe("formatLogLine", () => {
  it("turns a pino JSON line into a readable one prefixed by the service", () => {
    const line = JSON.stringify({
      level: 30,
      time: 1,
      pid: 9,
      hostname: "h",
      msg: "rpc",
      rpc: "a.B/C",
      code: "OK",
    });
    expect(formatLogLine("user-service", line)).toBe(
      `${"user-service".padEnd(20)} │ INFO  rpc rpc=a.B/C code=OK`,
    );
  });

  it("passes other lines through, prefixed", () => {
    expect(formatLogLine("x", "plain text")).toBe(`${"x".padEnd(20)} │ plain text`);
    expect(formatLogLine("x", "{not json")).toBe(`${"x".padEnd(20)} │ {not json`);
  });
});
