import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { mqttAdmin, repoRoot } from "./brokers.js";
import { freePort } from "./service-process.js";

const run = promisify(execFile);

/**
 * A Mosquitto of the test's own, started by infra/brokers.sh itself (so the test also proves the
 * infra: dynamic-security plugin, no anonymous clients, the service accounts) from a fresh data
 * dir on a free port. Never the shared one on 1883: tests may not restart or reconfigure it.
 */
export async function startPrivateMosquitto() {
  const dataDir = await mkdtemp(join(tmpdir(), "private-mosquitto-"));
  const port = await freePort();
  const env = { ...process.env, SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_MOSQUITTO_PORT: String(port) };
  const brokers = (...args: string[]) =>
    run("bash", [join(repoRoot(), "infra", "brokers.sh"), ...args, "mosquitto"], { env, timeout: 60_000 });
  const start = async () => {
    await brokers("start");
    await brokers("wait");
  };
  await start();
  return {
    host: "127.0.0.1",
    port,
    /** Its persistence file: rewritten at every autosave (each second). */
    persistenceFile: join(dataDir, "mosquitto", "mosquitto.db"),
    /** Without an account: the broker refuses it. */
    url: `mqtt://127.0.0.1:${port}`,
    /** Logged in as "admin" (every topic). */
    adminUrl: `mqtt://${mqttAdmin.username}:${mqttAdmin.password}@127.0.0.1:${port}`,
    admin: mqttAdmin,
    /** The dev account infra/ gives a service (`<name>` / `<name>-dev-password`). */
    serviceAccount: (service: string) => ({ username: service, password: `${service}-dev-password` }),
    /** kill -9, as a crash: its data (sessions saved every second, the accounts) stays. */
    async kill() {
      const { stdout } = await brokers("pid");
      const pid = Number(stdout.trim());
      process.kill(pid, "SIGKILL");
      while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
    },
    /** Starts it again on the same data and port, and waits until it answers. */
    restart: start,
    /** Stops it and removes its data. */
    async stop() {
      await brokers("stop");
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type PrivateMosquitto = Awaited<ReturnType<typeof startPrivateMosquitto>>;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
