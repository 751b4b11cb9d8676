// The seed contract, user.UsuarioServicio, from the stock client against the running user-service.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { png } from "../../examples/png.js";
import { run } from "../../examples/usuario.js";
import { call, callBidi, callClientStream, chunks } from "../../src/index.js";
import { allUp, clients, title } from "./running-system.js";

const SUMMARY = /^image [\da-f-]{36}: (\d+) bytes, image\/png, (\d+)x(\d+)$/;
const sum = (name) => BigInt([...Buffer.from(name)].reduce((total, byte) => total + byte, 0));

/** A user signed up anonymously (the seed contract needs no login). */
async function newUser(prefix) {
  const name = `${prefix} ${randomUUID().slice(0, 8)}`;
  const { user } = await call(clients.users, "CreateUser", {
    requestId: randomUUID(),
    name,
    email: `${randomUUID()}@example.com`,
  });
  return user;
}

describe.skipIf(!allUp("users"))(
  title("UsuarioServicio (the seed contract) from a stock grpc-js client: users", "users"),
  () => {
    it("answers GetUser with the user's id, name and email, and NOT_FOUND for an unknown name", async () => {
      const user = await newUser("Node");
      expect((await call(clients.usuario, "GetUser", { name: user.name })).message).toBe(
        `id=${user.id} name=${user.name} email=${user.email}`,
      );
      await expect(
        call(clients.usuario, "GetUser", { name: `nobody ${randomUUID()}` }),
      ).rejects.toMatchObject({
        code: 5,
      });
    });

    it("answers GetUserBidiStream with name and pow per request, ending with NOT_FOUND at an unknown name", async () => {
      const user = await newUser("Zoë");
      const received = [];
      const stream = await callBidi(clients.usuario, "GetUserBidiStream", [
        { name: user.name, pow: 0 },
        { name: user.name, pow: 64 },
        { name: `nobody ${randomUUID()}`, pow: 1 },
      ]);
      await expect(
        (async () => {
          for await (const reply of stream) received.push([reply.name, reply.pow, reply.image.length]);
        })(),
      ).rejects.toMatchObject({ code: 5 });
      expect(received).toEqual([
        [user.name, 1, 0],
        [user.name, Number(sum(user.name) ** 64n % 1_000_000_007n), 0],
      ]);
    });
  },
);

describe.skipIf(!allUp("users", "images"))(
  title("UsuarioServicio (the seed contract) from a stock grpc-js client: images", "users", "images"),
  () => {
    it("stores a whole image (ProcessImage) and an image in chunks (GetStreamImage)", async () => {
      const whole = png(64, 48);
      const processed = await call(
        clients.usuario,
        "ProcessImage",
        { name: "", image: whole },
        { timeoutMs: 10_000 },
      );
      expect(processed.message).toMatch(SUMMARY);
      expect(SUMMARY.exec(processed.message).slice(1).map(Number)).toEqual([whole.length, 64, 48]);
      const big = png(300, 300, { noise: true });
      const streamed = await callClientStream(
        clients.usuario,
        "GetStreamImage",
        [...chunks(big, 40_000)].map((image) => ({ image })),
      );
      expect(SUMMARY.exec(streamed.message).slice(1).map(Number)).toEqual([big.length, 300, 300]);
      await expect(
        call(clients.usuario, "ProcessImage", { name: "", image: Buffer.from("not an image") }),
      ).rejects.toMatchObject({ code: 3 });
    });

    it("answers each chunk of ImageStreamReply, then the summary", async () => {
      const image = png(200, 200, { noise: true });
      const pieces = [...chunks(image, 50_000)];
      const replies = [];
      for await (const reply of await callBidi(
        clients.usuario,
        "ImageStreamReply",
        pieces.map((p) => ({ image: p })),
      )) {
        replies.push(reply.message);
      }
      const totals = pieces.map((_, i) => pieces.slice(0, i + 1).reduce((sum, p) => sum + p.length, 0));
      expect(replies.slice(0, -1)).toEqual(totals.map((total) => `received ${total} bytes`));
      expect(replies.at(-1)).toMatch(SUMMARY);
    });

    it("runs the example: every call kind of the seed contract", async () => {
      const kinds = new Set((await run(clients)).map((line) => line.split(":")[0]));
      expect([...kinds]).toEqual([
        "GetUser",
        "ProcessImage",
        "GetStreamImage",
        "ImageStreamReply",
        "GetUserBidiStream",
      ]);
    });
  },
);
