// The stock client's secure modes against a Switchboard GrpcServer (from @switchboard/runtime)
// serving a tiny UsuarioServicio with the dev certificates: TLS with the CA, and mutual TLS, where
// a client without a certificate is refused.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsuarioServicio } from "@switchboard/proto/user/usuario_pb.js";
import { GrpcServer } from "@switchboard/runtime";
import { memoryLogger, repoRoot } from "@switchboard/testing";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { call, connect } from "../src/index.js";

let certs;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-client-certs-"));
  execFileSync("bash", [join(repoRoot(), "scripts", "dev-certs.sh"), dir], { stdio: "ignore" });
  certs = {
    dir,
    file: (name) => join(dir, name),
    read: (name) => readFileSync(join(dir, name)),
  };
});

const running = [];
const opened = [];
afterEach(async () => {
  for (const clients of opened.splice(0)) clients.close();
  await Promise.all(running.splice(0).map((server) => server.shutdown()));
});

/** A GrpcServer with TLS (mutual when `mutual`) answering UsuarioServicio.GetUser. */
async function serve({ mutual }) {
  const server = new GrpcServer({
    logger: memoryLogger().logger,
    tls: {
      cert: certs.read("server.pem"),
      key: certs.read("server-key.pem"),
      ...(mutual ? { ca: certs.read("ca.pem") } : {}),
    },
    routes: (router) =>
      router.service(UsuarioServicio, { getUser: (request) => ({ message: `hello ${request.name}` }) }),
  });
  running.push(server);
  return `localhost:${await server.listen(0, "127.0.0.1")}`;
}

function usuario(address, tls) {
  const clients = connect({ users: address, tls });
  opened.push(clients);
  return clients.usuario;
}

describe("TLS from a stock grpc-js client", () => {
  it("connects over TLS when given the CA file, and a plaintext client is refused", async () => {
    const address = await serve({ mutual: false });
    const secure = usuario(address, { caFile: certs.file("ca.pem") });
    expect((await call(secure, "GetUser", { name: "tls" })).message).toBe("hello tls");
    await expect(call(usuario(address, undefined), "GetUser", { name: "plain" })).rejects.toMatchObject({
      code: 14, // UNAVAILABLE
    });
  });

  it("under mutual TLS, is served with a client certificate and refused without one", async () => {
    const address = await serve({ mutual: true });
    const withCert = usuario(address, {
      caFile: certs.file("ca.pem"),
      certFile: certs.file("client.pem"),
      keyFile: certs.file("client-key.pem"),
    });
    expect((await call(withCert, "GetUser", { name: "mutual" })).message).toBe("hello mutual");
    const withoutCert = usuario(address, { caFile: certs.file("ca.pem") });
    await expect(call(withoutCert, "GetUser", { name: "anonymous" })).rejects.toMatchObject({ code: 14 });
  });
});
