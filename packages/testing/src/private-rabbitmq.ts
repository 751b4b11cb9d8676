import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./service-process.js";

const RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/**
 * A RabbitMQ node of the test's own — its own port, node name, Erlang distribution port and data
 * dir — for tests that kill the broker. Never the shared one on 5672: killing that would break
 * every other test and engineer on the machine. Its data survives kill(): restart() boots the
 * same node on the same data, as a crashed broker coming back would.
 */
export async function startPrivateRabbitMq() {
  const dataDir = await mkdtemp(join(tmpdir(), "private-rabbitmq-"));
  const [port, distPort] = [await freePort(), await freePort()];
  const node = `rabbit-test-${port}@localhost`;
  await mkdir(join(dataDir, "mnesia"), { recursive: true });
  await writeFile(join(dataDir, "enabled_plugins"), "[].\n");
  await writeFile(
    join(dataDir, "rabbitmq.conf"),
    `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users.guest = true\n`,
  );
  const log = createWriteStream(join(dataDir, "rabbitmq.log"), { flags: "a" });
  const env = {
    ...process.env,
    HOME: dataDir,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_ADDRESS: "127.0.0.1",
    RABBITMQ_CONF_ENV_FILE: join(dataDir, "rabbitmq-env.conf"),
    RABBITMQ_CONFIG_FILE: join(dataDir, "rabbitmq.conf"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dataDir, "enabled_plugins"),
    RABBITMQ_MNESIA_BASE: join(dataDir, "mnesia"),
    RABBITMQ_LOG_BASE: join(dataDir, "log"),
    RABBITMQ_LOGS: "-",
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
  };
  let child: ChildProcess | undefined;

  const boot = async () => {
    // Its own process group, so kill() reaches the Erlang VM under the start script.
    child = spawn(RABBITMQ_SERVER, [], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const deadline = Date.now() + 60_000;
    while (!(await amqpAnswers(port))) {
      if (Date.now() > deadline)
        throw new Error(`private RabbitMQ did not start (see ${dataDir}/rabbitmq.log)`);
      if (child.exitCode !== null) throw new Error(`private RabbitMQ exited (see ${dataDir}/rabbitmq.log)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const killGroup = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running?.pid || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    process.kill(-running.pid, signal);
    await exited;
    // The VM may outlive the script for a moment: wait until the port is closed.
    while (await amqpAnswers(port)) await new Promise((resolve) => setTimeout(resolve, 100));
  };

  await boot();
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    port,
    /** kill -9 of the whole node, as a crash. */
    kill: () => killGroup("SIGKILL"),
    /** Boots the node again on the same data. */
    restart: boot,
    /** Stops it and removes its data. */
    async stop() {
      await killGroup("SIGKILL");
      log.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** True once the port speaks AMQP (answers the protocol header with its own). */
function amqpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, "127.0.0.1");
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write(Buffer.from("AMQP\x00\x00\x09\x01", "latin1")));
    socket.once("data", () => done(true));
  });
}
