import { createServer, type Socket, connect as tcpConnect } from "node:net";
import { brokerUrls } from "./brokers.js";

/**
 * A TCP proxy on a free loopback port in front of `target`, that a test can switch on and off:
 * while off, every connection is refused at once (reset), as a broker that is down. It never
 * touches the broker itself, so shared brokers stay up for everyone else.
 */
export async function startTcpProxy(target: { host: string; port: number }, { reachable = false } = {}) {
  let open = reachable;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!open) {
      client.resetAndDestroy();
      return;
    }
    const upstream = tcpConnect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    /** Lets connections through from now on. */
    up() {
      open = true;
    },
    /** Refuses new connections and cuts the open ones. */
    down() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      this.down();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A proxy (off to start with) in front of the test broker `name`, and that broker's URL through it,
 * in the form the services' config reads: KAFKA_BROKERS `host:port`, AMQP_URL `amqp://…`.
 */
export async function proxiedBroker(name: "kafka" | "amqp") {
  const url = new URL(name === "kafka" ? `kafka://${brokerUrls.kafka.split(",")[0]}` : brokerUrls.amqp);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  url.port = String(proxy.port);
  return Object.assign(proxy, { url: name === "kafka" ? url.host : url.toString() });
}
