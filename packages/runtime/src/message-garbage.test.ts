import { describe, expect, it } from "vitest";
import { MessageGarbage } from "./message-garbage.js";

describe("MessageGarbage", () => {
  it("collects the young generation once per `everyBytes` of messages, not per message", () => {
    const collections: string[] = [];
    const garbage = new MessageGarbage(10, ({ type }) => collections.push(type));
    for (let i = 0; i < 7; i++) garbage.passed(4); // 28 bytes: collections after 12 and 24
    expect(collections).toEqual(["minor", "minor"]);
  });

  it("reaches V8's own collector without --expose-gc", () => {
    expect("gc" in globalThis).toBe(false);
    const garbage = new MessageGarbage(1);
    expect(() => garbage.passed(2)).not.toThrow();
  });
});
