import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

export type BrokerName = "kafka" | "rabbitmq" | "mosquitto" | "postgres";

/** The broker's "admin" account (infra/mosquitto/accounts.sh; MQTT_ADMIN_PASSWORD as there). */
export const mqttAdmin = {
  username: "admin",
  password: process.env.MQTT_ADMIN_PASSWORD ?? "switchboard-admin",
};

/** `url` with the admin account in it, unless it names an account already. */
function withMqttAdmin(url: string): string {
  const parsed = new URL(url);
  if (parsed.username) return url;
  parsed.username = mqttAdmin.username;
  parsed.password = mqttAdmin.password;
  return parsed.toString().replace(/\/$/, "");
}

/** Where the real brokers listen (the infra/ defaults, overridable by the usual variables). */
export const brokerUrls = {
  kafka: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
  amqp: process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672",
  /** Logged in as the broker's "admin" account (every topic): Mosquitto takes no anonymous clients. */
  mqtt: withMqttAdmin(process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883"),
  postgres: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/switchboard",
};

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("not inside the Switchboard repository");
    dir = parent;
  }
  return dir;
}

async function brokers(...args: string[]): Promise<string> {
  const { stdout } = await run("bash", [join(repoRoot(), "infra", "brokers.sh"), ...args], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  return stdout;
}

/**
 * Starts the named real brokers through infra/ (installing them on first use) and waits until
 * they answer. Already-running brokers are reused; tests never stop them.
 */
export async function ensureBrokers(...names: BrokerName[]): Promise<typeof brokerUrls> {
  await brokers("start", ...names);
  await brokers("wait", ...names);
  return brokerUrls;
}

/** `kill -9` a broker, as a crash would. */
export async function killBroker(name: BrokerName): Promise<void> {
  const pid = Number((await brokers("pid", name)).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${name} is not running`);
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} (pid ${pid}) did not die`);
}

/** Starts a broker again (after killBroker) and waits until it answers. */
export async function restartBroker(name: BrokerName): Promise<void> {
  await ensureBrokers(name);
}
