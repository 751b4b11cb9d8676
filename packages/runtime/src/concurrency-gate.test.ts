import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ConcurrencyGate } from "./concurrency-gate.js";

/** Work that runs until `finish` is called. */
function held() {
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { work: () => done, finish };
}

describe("ConcurrencyGate", () => {
  it("runs at most `slots` at once and passes a freed slot to the next waiter in order", async () => {
    const gate = new ConcurrencyGate({ slots: 2, maxWaiting: 5, what: "jobs" });
    const jobs = [held(), held(), held()];
    const started: number[] = [];
    const runs = jobs.map((job, i) =>
      gate.run(async () => {
        started.push(i);
        await job.work();
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect([gate.running, gate.waiting]).toEqual([2, 1]);
    jobs[0]?.finish();
    await runs[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const job of jobs) job.finish();
    await Promise.all(runs);
    expect([gate.running, gate.waiting]).toEqual([0, 0]);
  });

  it("turns a caller away with RESOURCE_EXHAUSTED at once when the queue is full, unless it must always wait", async () => {
    const gate = new ConcurrencyGate({ slots: 1, maxWaiting: 1, what: "jobs" });
    const job = held();
    const running = gate.run(job.work);
    const waiting = gate.run(async () => "waited");
    const error = await gate.run(async () => "never").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    const worker = gate.run(async () => "worker", { queue: "always" });
    job.finish();
    await running;
    expect([await waiting, await worker]).toEqual(["waited", "worker"]);
  });

  it("takes a waiter out of the queue when its signal aborts (a deadline), with the signal's reason", async () => {
    const gate = new ConcurrencyGate({ slots: 1, maxWaiting: 1, what: "jobs" });
    const job = held();
    const running = gate.run(job.work);
    const deadline = new AbortController();
    const waiting = gate.run(async () => "never", { signal: deadline.signal });
    deadline.abort(new ConnectError("deadline", Code.DeadlineExceeded));
    expect(await waiting.catch((e: ConnectError) => e.code)).toBe(Code.DeadlineExceeded);
    expect(gate.waiting).toBe(0);
    // The queue has room again.
    const next = gate.run(async () => "next");
    job.finish();
    await running;
    expect(await next).toBe("next");
    expect(gate.running).toBe(0);
  });
});

describe("ConcurrencyGate with weights", () => {
  it("lets light runs share the slots, holds a heavy one until its weight is free, and keeps arrival order", async () => {
    const gate = new ConcurrencyGate({ slots: 4, maxWaiting: 5, what: "jobs" });
    const started: string[] = [];
    const light = held();
    const heavy = held();
    const runs = [
      gate.run(async () => started.push("light") && light.work(), { weight: 1 }),
      gate.run(async () => started.push("heavy") && heavy.work(), { weight: 4 }),
      gate.run(async () => started.push("after"), { weight: 1 }),
      gate.run(async () => started.push("huge, clamped to all slots"), { weight: 100 }),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(["light"]);
    light.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(["light", "heavy"]);
    heavy.finish();
    await Promise.all(runs);
    expect(started).toEqual(["light", "heavy", "after", "huge, clamped to all slots"]);
    expect(gate.running).toBe(0);
  });
});
