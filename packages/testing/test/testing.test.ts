import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { callError, collect } from "../src/call-error.js";
import { memoryLogger } from "../src/logger.js";
import { serveOnPort0 } from "../src/serve.js";

describe("test resources", () => {
  it("callError returns the error a call failed with, as a ConnectError", async () => {
    const error = await callError(Promise.reject(new ConnectError("gone", Code.NotFound)));
    expect(error).toMatchObject({ code: Code.NotFound, rawMessage: "gone" });
  });

  it("callError fails the test when the call succeeds", async () => {
    await expect(callError(Promise.resolve("fine"))).rejects.toThrow(/expected the call to fail/);
  });

  it("collect drains a stream in order", async () => {
    async function* numbers() {
      yield* [1, 2, 3];
    }
    expect(await collect(numbers())).toEqual([1, 2, 3]);
  });

  it("memoryLogger keeps each JSON line", () => {
    const { logger, lines } = memoryLogger();
    logger.info({ rpc: "x" }, "hello");
    expect(lines).toEqual([expect.objectContaining({ rpc: "x", msg: "hello" })]);
  });

  it("serveOnPort0 listens on loopback and stops on dispose", async () => {
    const calls: string[] = [];
    const server = {
      listen: async (port: number, host?: string) => {
        calls.push(`listen ${port} ${host}`);
        return 43210;
      },
      shutdown: async () => {
        calls.push("shutdown");
      },
    };
    {
      await using served = await serveOnPort0(server);
      expect(served).toMatchObject({
        port: 43210,
        baseUrl: "http://127.0.0.1:43210",
        address: "127.0.0.1:43210",
      });
    }
    expect(calls).toEqual(["listen 0 127.0.0.1", "shutdown"]);
  });
});
