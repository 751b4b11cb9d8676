import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import {
  connectClient,
  ensureBrokers,
  freePort,
  spawnService,
  until,
  waitUntilAnswering,
} from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { authForProcess, KiB, makeImage, uploadMessages } from "./harness.js";

/** Every file under the blob store's temporary folders, by folder. */
async function temporaryFiles(dataDir: string): Promise<Record<string, string[]>> {
  const tmp = join(dataDir, "blobs", "tmp");
  const folders = await readdir(tmp).catch(() => []);
  return Object.fromEntries(
    await Promise.all(folders.map(async (f) => [f, await readdir(join(tmp, f))] as const)),
  );
}

describe("a crash mid-upload", () => {
  it("leaves no temporary file once the service starts again", async () => {
    await ensureBrokers("kafka", "rabbitmq", "mosquitto");
    const dataDir = await mkdtemp(join(tmpdir(), "image-service-crash-"));
    const auth = await authForProcess();
    const env = async () => ({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      WORKERS: "0",
      JOBS_QUEUE: `images.process.test-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: "error",
      ...auth.env,
    });
    const start = async () => {
      const settings = await env();
      const service = spawnService(join(import.meta.dirname, ".."), settings);
      const client = connectClient(ImageService, `http://127.0.0.1:${settings.PORT}`, "grpc", {
        timeoutMs: 60_000,
        token: auth.adminToken,
      });
      await waitUntilAnswering(() => client.listImages({ ownerId: "anonymous" }));
      return { service, client };
    };
    try {
      const first = await start();
      // An upload that stalls half-way: its bytes so far sit in a temporary file.
      const png = await makeImage("png", 600, 400);
      let release!: () => void;
      const stalled = new Promise<void>((resolve) => {
        release = resolve;
      });
      async function* halfThenStall() {
        let sent = 0;
        for await (const message of uploadMessages(png, {}, 16 * KiB)) {
          yield message;
          if (message.data.case !== "chunk") continue;
          sent += message.data.value.length;
          if (sent > png.length / 2) await stalled;
        }
      }
      const upload = first.client.uploadImage(halfThenStall()).catch(() => "cut off");
      await until(async () => Object.values(await temporaryFiles(dataDir)).flat().length > 0, 50);
      first.service.child.kill("SIGKILL"); // a crash: no shutdown, no cleanup
      await new Promise((resolve) => first.service.child.once("exit", resolve));
      release();
      expect(await upload).toBe("cut off");
      expect(Object.values(await temporaryFiles(dataDir)).flat().length).toBeGreaterThan(0);

      const second = await start();
      // Only the new process's own (empty) folder is left.
      const left = await temporaryFiles(dataDir);
      expect(Object.keys(left)).toHaveLength(1);
      expect(Object.values(left).flat()).toEqual([]);
      expect((await second.client.listImages({ ownerId: "anonymous" })).images).toEqual([]);
      await second.service.stop();
    } finally {
      await auth.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
