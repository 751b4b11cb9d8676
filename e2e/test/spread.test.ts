/**
 * Service-to-service gRPC spreads over every replica: user-service's seed contract stores images
 * through image-service at dns:///image-service-pods:50052 (a headless Service), so with three
 * image-service pods each one serves some of the uploads — where a ClusterIP would pin HTTP/2's one
 * connection, and every call, to a single pod.
 *
 * Runs only against Kubernetes, given a shell command that prints every image-service pod's log
 * lines prefixed by the pod (SWITCHBOARD_IMAGE_SERVICE_LOGS, e.g. `kubectl logs --prefix -l …`) and
 * how many replicas to expect (SWITCHBOARD_IMAGE_SERVICE_REPLICAS). .ci/k8s.sh sets both.
 */
import { execSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { UsuarioServicio } from "@switchboard/proto/user/usuario_pb.js";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { clientOf, system } from "./system.js";

const logsCommand = process.env.SWITCHBOARD_IMAGE_SERVICE_LOGS;
const replicas = Number(process.env.SWITCHBOARD_IMAGE_SERVICE_REPLICAS ?? 3);
const usuarios = clientOf(UsuarioServicio, system.users);

/** UploadImage calls each pod served, from log lines like `[pod/image-service-x/app] {"rpc":…}`. */
function uploadsPerPod(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of execSync(logsCommand!, { encoding: "utf8", maxBuffer: 64 << 20 }).split("\n")) {
    const pod = /^\[pod\/([^/\]]+)/.exec(line)?.[1];
    if (pod && line.includes('"rpc":"switchboard.image.v1.ImageService/UploadImage"')) {
      counts.set(pod, (counts.get(pod) ?? 0) + 1);
    }
  }
  return counts;
}

describe.skipIf(!logsCommand)("gRPC between services over a headless Service", () => {
  it(
    `spreads user-service's calls over ${replicas} image-service replicas`,
    { timeout: 120_000 },
    async () => {
      const png = await sharp({
        create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 40, b: 40 } },
      })
        .png()
        .toBuffer();
      const before = uploadsPerPod();
      const served = () =>
        [...uploadsPerPod()].map(([pod, count]) => [pod, count - (before.get(pod) ?? 0)] as const);
      // user-service learns of new pods when it resolves the name again (every 10 s, behind cluster
      // DNS's cache): calls made right after the scale-up may all land on the old pod. So: rounds of
      // calls until every replica has served some, for up to 60 s; pinned to one pod, this fails.
      const deadline = Date.now() + 60_000;
      let calls = 0;
      const podsServing = () => served().filter(([, count]) => count > 0).length;
      for (;;) {
        for (let call = 0; call < replicas * 4; call++, calls++) {
          const { message } = await usuarios.processImage({ name: "", image: png });
          expect(message).toMatch(/^image [0-9a-f-]+: \d+ bytes, image\/png, 8x8$/);
        }
        if (podsServing() === replicas || Date.now() > deadline) break;
        await sleep(2_000);
      }
      const perPod = served();
      console.log(
        `UploadImage calls per image-service pod (${calls} calls): ${JSON.stringify(Object.fromEntries(perPod))}`,
      );
      const busy = perPod.filter(([, count]) => count > 0);
      expect(busy.length, JSON.stringify(perPod)).toBe(replicas);
      expect(busy.reduce((sum, [, count]) => sum + count, 0)).toBe(calls);
    },
  );
});
