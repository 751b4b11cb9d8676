// ImageService from the stock client against the running image-service: every call kind, as a
// logged-in user who owns what it uploads.
import { describe, expect, it } from "vitest";
import { download, run, upload } from "../../examples/images.js";
import { png } from "../../examples/png.js";
import { allUp, newUser, title } from "./running-system.js";

describe.skipIf(!allUp("users", "images"))(
  title("ImageService from a stock grpc-js client", "users", "images"),
  () => {
    it("uploads an image in chunks (owned by the caller) and downloads it byte-identical, in chunks of the size asked", async () => {
      const me = await newUser("Uploader");
      const bytes = png(400, 300, { noise: true });
      const image = await upload(me, bytes);
      expect(image).toMatchObject({
        contentType: "image/png",
        width: 400,
        height: 300,
        sizeBytes: String(bytes.length),
        ownerId: me.user.id,
      });
      const { metadata, bytes: downloaded } = await download(me, image.id, 16 * 1024);
      expect(downloaded.equals(bytes)).toBe(true);
      expect(metadata.sizeBytes).toBe(String(bytes.length));
    });

    it("runs the example: upload, download, ProcessImage, ProcessImageStream, GetImage, ListImages", async () => {
      const lines = await run(await newUser("Example"));
      const kinds = new Set(lines.map((line) => line.split(":")[0]));
      expect([...kinds]).toEqual([
        "UploadImage",
        "DownloadImage",
        "ProcessImage",
        "ProcessImageStream",
        "GetImage",
        "ListImages",
      ]);
      expect(lines.find((l) => l.startsWith("DownloadImage:"))).toContain("identical=true");
      expect(lines.at(-3)).toMatch(/^ProcessImageStream: result \d+x\d+$/);
    });
  },
);
