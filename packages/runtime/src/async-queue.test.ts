import { describe, expect, it } from "vitest";
import { AsyncQueue } from "./async-queue.js";

describe("AsyncQueue", () => {
  it("delivers pushed items in order and ends after end()", async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    setTimeout(() => {
      queue.push(2);
      queue.end();
    }, 5);
    const items: number[] = [];
    for await (const item of queue) items.push(item);
    expect(items).toEqual([1, 2]);
  });

  it("drops pushes beyond capacity instead of growing", () => {
    const queue = new AsyncQueue<number>(2);
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
    expect(queue.size).toBe(2);
  });

  it("ends when its signal aborts", async () => {
    const controller = new AbortController();
    const queue = new AsyncQueue<number>(10, controller.signal);
    setTimeout(() => controller.abort(), 5);
    const items: number[] = [];
    for await (const item of queue) items.push(item);
    expect(items).toEqual([]);
  });

  it("throws the error it was ended with", async () => {
    const queue = new AsyncQueue<number>();
    queue.end(new Error("broken"));
    await expect(async () => {
      for await (const _ of queue) void _;
    }).rejects.toThrow("broken");
  });
});
