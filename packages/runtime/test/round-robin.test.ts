import { Code } from "@connectrpc/connect";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { memoryLogger } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createServiceClient } from "../src/grpc-client.js";
import { GrpcServer } from "../src/grpc-server.js";
import { parseDnsTarget } from "../src/round-robin-transport.js";
import { echoService } from "./echo-service.js";

const running: GrpcServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.shutdown()));
});

/** A server that answers Echo with its own name, so a reply tells which replica served it. */
async function replica(name: string, host: string, port: number): Promise<number> {
  const server = new GrpcServer({
    logger: memoryLogger().logger,
    routes: (router) => router.service(EchoService, { ...echoService, echo: () => ({ text: name }) }),
  });
  running.push(server);
  return server.listen(port, host);
}

/** Three replicas on one port, like three pods behind a headless Service (127.0.0.0/8 is all loopback). */
async function threeReplicas(): Promise<number> {
  const port = await replica("a", "127.0.0.1", 0);
  await replica("b", "127.0.0.2", port);
  await replica("c", "127.0.0.3", port);
  return port;
}

describe("dns:/// targets", () => {
  it("parses gRPC's dns name syntax and nothing else", () => {
    expect(parseDnsTarget("dns:///image-service-grpc:50052")).toEqual({
      host: "image-service-grpc",
      port: 50052,
    });
    expect(parseDnsTarget("dns://8.8.8.8/svc.ns.svc.cluster.local:1")).toEqual({
      host: "svc.ns.svc.cluster.local",
      port: 1,
    });
    expect(parseDnsTarget("dns:///[::1]:7")).toEqual({ host: "::1", port: 7 });
    expect(parseDnsTarget("http://image-service:50052")).toBeUndefined();
    expect(parseDnsTarget("dns:///no-port")).toBeUndefined();
  });

  it("spreads calls round robin over every address of the name", async () => {
    const port = await threeReplicas();
    // A name with three addresses, as a headless Service of three pods resolves.
    const resolve = async () => ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
    const balanced = createServiceClient(EchoService, {
      baseUrl: `dns:///replicas.test:${port}`,
      resolve,
    });
    const served = new Map<string, number>();
    for (let call = 0; call < 30; call++) {
      const { text } = await balanced.echo({ text: "who" });
      served.set(text, (served.get(text) ?? 0) + 1);
    }
    expect(Object.fromEntries(served)).toEqual({ a: 10, b: 10, c: 10 });
  });

  it("fails a call as UNAVAILABLE while the name does not resolve", async () => {
    const client = createServiceClient(EchoService, {
      baseUrl: "dns:///nowhere.test:50052",
      resolve: async () => {
        throw new Error("getaddrinfo ENOTFOUND nowhere.test");
      },
    });
    await expect(client.echo({ text: "x" })).rejects.toMatchObject({
      code: Code.Unavailable,
      rawMessage: "no addresses for nowhere.test",
    });
  });

  it("follows the name when replicas come and go", async () => {
    const port = await threeReplicas();
    let addresses = ["127.0.0.1"];
    const client = createServiceClient(EchoService, {
      baseUrl: `dns:///replicas.test:${port}`,
      resolve: async () => addresses,
      resolveEveryMs: 0,
    });
    expect((await client.echo({ text: "" })).text).toBe("a");
    addresses = ["127.0.0.2", "127.0.0.3"];
    await client.echo({ text: "" }); // served by what was known, while the name is resolved again
    const texts = new Set<string>();
    for (let call = 0; call < 4; call++) texts.add((await client.echo({ text: "" })).text);
    expect([...texts].sort()).toEqual(["b", "c"]);
  });
});
