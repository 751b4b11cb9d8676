import { describe, expect, it } from "vitest";
import { AsyncQueue } from "./async-queue.js";
import { streamTask } from "./stream-task.js";

const collect = async <T>(stream: AsyncIterable<T>) => {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
};

describe("streamTask", () => {
  it("streams what the task pushes while it runs, and ends when it ends", async () => {
    const queue = new AsyncQueue<number>();
    const seen: number[] = [];
    const stream = streamTask(queue, async () => {
      queue.push(1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      queue.push(2);
    });
    for await (const item of stream) seen.push(item);
    expect(seen).toEqual([1, 2]);
  });

  it("fails the stream with the task's error, after what it pushed before", async () => {
    const queue = new AsyncQueue<string>();
    const items: string[] = [];
    const failure = await (async () => {
      for await (const item of streamTask(queue, async () => {
        queue.push("first");
        throw new Error("task broke");
      }))
        items.push(item);
    })().catch((error: unknown) => error);
    expect(items).toEqual(["first"]);
    expect(failure).toMatchObject({ message: "task broke" });
  });

  it("tells the task to stop when the reader leaves; with settle, finishes only after the task", async () => {
    const queue = new AsyncQueue<number>();
    let finished = false;
    const stream = streamTask(
      queue,
      async (stop) => {
        queue.push(1);
        await new Promise((resolve) => stop.addEventListener("abort", resolve, { once: true }));
        await new Promise((resolve) => setTimeout(resolve, 5));
        finished = true;
      },
      { settle: true },
    );
    for await (const _ of stream) break; // the reader leaves after one item
    expect(finished).toBe(true);
  });

  it("without settle, does not wait for a task that never ends", async () => {
    const queue = new AsyncQueue<number>();
    const stream = streamTask(queue, () => {
      queue.push(7);
      queue.end();
      return new Promise(() => {}); // e.g. still waiting for its client's next request
    });
    expect(await collect(stream)).toEqual([7]);
  });
});
