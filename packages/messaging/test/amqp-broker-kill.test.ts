import { randomUUID } from "node:crypto";
import { EchoRequestSchema } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { memoryLogger, startPrivateRabbitMq, until } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { AmqpBroker } from "../src/amqp/amqp-broker.js";
import { echoRegistry } from "./kafka-helpers.js";

const echo = (text: string) => ({ schema: EchoRequestSchema, data: { text }, subject: text });

// Kills a RabbitMQ node of its own (own port, node name and data dir), never the shared one.
describe("AmqpBroker when RabbitMQ is killed (kill -9) mid-publish and restarted", () => {
  it("fails publishes during the outage, publishes again after it, and loses no confirmed message or backlog", async () => {
    const rabbit = await startPrivateRabbitMq();
    const broker = new AmqpBroker({
      url: rabbit.url,
      source: "/switchboard/messaging-tests",
      registry: echoRegistry,
      logger: memoryLogger("error").logger,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 },
      confirmTimeoutMs: 2_000,
    });
    try {
      const live = `test.crash.${randomUUID().slice(0, 8)}`;
      const backlog = `test.backlog.${randomUUID().slice(0, 8)}`;
      // A backlog confirmed before the kill, on a queue nobody consumes yet.
      const queuedAtKill: string[] = [];
      for (let i = 0; i < 30; i++) queuedAtKill.push((await broker.publish(backlog, echo(`b${i}`))).id);

      const received = new Set<string>();
      let deliveries = 0;
      await broker.subscribe(live, async (event) => {
        deliveries++;
        received.add(event.id); // the dedup an Inbox does, by event id
      });
      const confirmed: string[] = [];
      const confirmedAfterRestart: string[] = [];
      let failed = 0;
      let failedWhileDown = 0;
      let restarted = false;
      const published = 100;
      for (let i = 0; i < published; i++) {
        if (i === 40) await rabbit.kill();
        const down = i >= 40 && !restarted;
        if (i === 50) {
          await rabbit.restart();
          restarted = true;
        }
        try {
          const { id } = await broker.publish(live, echo(`m${i}`));
          confirmed.push(id);
          if (restarted) confirmedAfterRestart.push(id);
        } catch {
          failed++; // unconfirmed: a real producer (the outbox relay) retries it
          if (down) failedWhileDown++;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await until(() => confirmed.every((id) => received.has(id)), 50);

      const backlogReceived = new Set<string>();
      await broker.subscribe(backlog, async (event) => void backlogReceived.add(event.id));
      await until(() => queuedAtKill.every((id) => backlogReceived.has(id)), 50);

      const lost = confirmed.filter((id) => !received.has(id));
      const backlogLost = queuedAtKill.filter((id) => !backlogReceived.has(id));
      console.log(
        `AMQP kill -9 (private node): published ${published}, confirmed ${confirmed.length} (${confirmedAfterRestart.length} after the restart), ` +
          `failed ${failed} (${failedWhileDown} while down), delivered ${received.size}, duplicates ${deliveries - received.size}, ` +
          `lost ${lost.length}; backlog of ${queuedAtKill.length} queued at the kill: ${backlogReceived.size} delivered, lost ${backlogLost.length}`,
      );
      expect(failedWhileDown).toBeGreaterThan(0); // the outage was seen, not swallowed
      expect(confirmedAfterRestart.length).toBeGreaterThan(0); // publishing works after it
      expect(lost).toEqual([]);
      expect(backlogLost).toEqual([]); // the backlog survived the kill on disk
    } finally {
      await broker.close();
      await rabbit.stop();
    }
  }, 180_000);
});
