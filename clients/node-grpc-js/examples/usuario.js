// The seed contract, user.UsuarioServicio, on user-service's port, from a stock grpc-js client:
// text, a whole image, an image in chunks, and both bidirectional streams.
// The seed contract takes no token (user-service's SEED_CONTRACT=open, the default).
//   node examples/usuario.js        (addresses and TLS from SWITCHBOARD_* variables)
import { randomUUID } from "node:crypto";
import { call, callBidi, callClientStream, chunks, connectFromEnv } from "../src/index.js";
import { png } from "./png.js";
import { runIfMain, using } from "./run-if-main.js";

export async function run(clients) {
  const lines = [];
  // A user to talk about, made through the modern contract.
  const name = `Ana ${randomUUID().slice(0, 8)}`;
  await call(clients.users, "CreateUser", {
    requestId: randomUUID(),
    name,
    email: `${randomUUID()}@example.com`,
  });

  // Text (unary).
  lines.push(`GetUser: ${(await call(clients.usuario, "GetUser", { name })).message}`);

  // A whole image in one message (unary).
  const image = png(64, 48);
  lines.push(
    `ProcessImage: ${(await call(clients.usuario, "ProcessImage", { name, image }, { timeoutMs: 10_000 })).message}`,
  );

  // An image in chunks (client streaming).
  const big = png(300, 300, { noise: true });
  const streamed = await callClientStream(
    clients.usuario,
    "GetStreamImage",
    [...chunks(big)].map((c) => ({ image: c })),
  );
  lines.push(`GetStreamImage: ${streamed.message}`);

  // Bidirectional images: a reply per chunk, then the stored image.
  for await (const reply of await callBidi(
    clients.usuario,
    "ImageStreamReply",
    [...chunks(big)].map((c) => ({ image: c })),
  )) {
    lines.push(`ImageStreamReply: ${reply.message}`);
  }

  // Bidirectional users: name, pow and avatar bytes per request.
  const requests = [0, 1, 2, 64].map((pow) => ({ name, pow }));
  for await (const reply of await callBidi(clients.usuario, "GetUserBidiStream", requests)) {
    lines.push(`GetUserBidiStream: name=${reply.name} pow=${reply.pow} avatar=${reply.image.length} bytes`);
  }
  return lines;
}

await runIfMain(import.meta.url, () => using([connectFromEnv()], run));
