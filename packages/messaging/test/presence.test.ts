import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { brokerUrls, ensureBrokers, memoryLogger, repoRoot } from "@switchboard/testing";
import mqtt from "mqtt";
import { beforeAll, describe, expect, it } from "vitest";
import { presenceTopic, startPresence } from "../src/mqtt/presence.js";

beforeAll(async () => {
  await ensureBrokers("mosquitto");
});

/** The statuses that arrive on a service's presence topic, starting with the retained one. */
async function watchStatus(service: string) {
  const client = await mqtt.connectAsync(brokerUrls.mqtt, { protocolVersion: 5 });
  const statuses: { status: string; pid?: number }[] = [];
  const waiters: (() => void)[] = [];
  client.on("message", (_topic, payload) => {
    statuses.push(JSON.parse(payload.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  await client.subscribeAsync(presenceTopic(service), { qos: 1 });
  return {
    statuses,
    async until(status: string) {
      while (statuses.at(-1)?.status !== status) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    close: () => client.endAsync(),
  };
}

describe("service presence on MQTT", () => {
  it("reads online while running and offline after a clean stop, retained for newcomers", async () => {
    const service = `presence-test-${Date.now()}`;
    const presence = startPresence({
      mqttUrl: brokerUrls.mqtt,
      service,
      logger: memoryLogger().logger,
    });
    const watcher = await watchStatus(service);
    await watcher.until("online");
    await presence.stop();
    await watcher.until("offline");
    await watcher.close();
    const newcomer = await watchStatus(service); // retained: the last status arrives on subscribe
    await newcomer.until("offline");
    await newcomer.close();
  });

  it("keeps replicas that share a pid (one per container: pid 7 under tini) on their own MQTT sessions", async () => {
    const service = `presence-replicas-${Date.now()}`;
    const watcher = await watchStatus(service);
    const replicas = [1, 2].map(() =>
      startPresence({ mqttUrl: brokerUrls.mqtt, service, logger: memoryLogger().logger }),
    );
    await watcher.until("online");
    // One client id for both would make the broker drop one session for the other, over and over,
    // each drop publishing the last will: "offline" while both run.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(watcher.statuses.map((s) => s.status)).not.toContain("offline");
    await Promise.all(replicas.map((replica) => replica.stop()));
    await watcher.close();
  }, 30_000);

  it("reads offline when the service process is killed with kill -9 (the last will)", async () => {
    const service = `presence-crash-${Date.now()}`;
    const script = join(repoRoot(), "packages", "messaging", "test", ".presence-child.ts");
    writeFileSync(
      script,
      `import { startPresence } from "../src/mqtt/presence.js";
import { pino } from "pino";
await startPresence({ mqttUrl: ${JSON.stringify(brokerUrls.mqtt)}, service: ${JSON.stringify(service)}, logger: pino({ level: "silent" }), keepaliveSeconds: 1 });
setInterval(() => undefined, 1000);`,
    );
    const watcher = await watchStatus(service);
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", script], {
      cwd: join(repoRoot(), "packages", "messaging"),
      stdio: "ignore",
    });
    await watcher.until("online");
    expect(watcher.statuses.at(-1)?.pid).toBe(child.pid);
    child.kill("SIGKILL");
    await watcher.until("offline"); // published by the broker after the keepalive lapses
    await watcher.close();
  }, 30_000);
});
