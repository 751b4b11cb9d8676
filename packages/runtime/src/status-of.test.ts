import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { invalidInput } from "./domain-errors.js";
import { fieldViolations } from "./invalid-argument.js";
import { statusOf, streamWithStatus, withStatus } from "./status-of.js";

class ThingNotFound extends Error {}
class ThingTaken extends Error {}
const codes = [
  [ThingNotFound, Code.NotFound],
  [ThingTaken, Code.AlreadyExists],
] as const;

describe("statusOf: domain errors become status codes at the edge", () => {
  it("gives each listed domain error its code and keeps its message", () => {
    const status = statusOf(new ThingTaken("thing 7 is taken"), codes) as ConnectError;
    expect(status).toBeInstanceOf(ConnectError);
    expect(status.code).toBe(Code.AlreadyExists);
    expect(status.rawMessage).toBe("thing 7 is taken");
  });

  it("turns invalid input into INVALID_ARGUMENT with every violation as a detail", () => {
    const violations = [{ field: "name", description: "must not be blank" }];
    const status = statusOf(invalidInput(violations), codes) as ConnectError;
    expect(status.code).toBe(Code.InvalidArgument);
    expect(status.rawMessage).toBe("invalid request: name: must not be blank");
    expect(fieldViolations(status)).toEqual(violations);
  });

  it("passes other errors through unchanged (they stay server faults)", () => {
    const fault = new TypeError("a bug");
    expect(statusOf(fault, codes)).toBe(fault);
  });

  it("maps what a call rejects with, and resolves what it resolves", async () => {
    await expect(withStatus(Promise.resolve(42), codes)).resolves.toBe(42);
    await expect(withStatus(Promise.reject(new ThingNotFound("no thing")), codes)).rejects.toMatchObject({
      code: Code.NotFound,
      rawMessage: "no thing",
    });
  });
});

describe("streamWithStatus: a stream's domain error becomes its status", () => {
  it("passes the items through, then turns the error the stream ends with into its code", async () => {
    async function* things() {
      yield 1;
      yield 2;
      throw new ThingNotFound("thing 3 is gone");
    }
    const seen: number[] = [];
    const error = await (async () => {
      for await (const thing of streamWithStatus(things(), codes)) seen.push(thing);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1, 2]);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.NotFound);
  });
});
