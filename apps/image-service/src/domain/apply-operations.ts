import { rm } from "node:fs/promises";
import { Fit, ImageFormat, type Operation } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import { InvalidInputError, invalidInput } from "@switchboard/runtime";
import sharp, { type Sharp } from "sharp";
import type { ImageType } from "./image-type.js";
import { type Plan, planOperations } from "./plan-operations.js";

/** What processing produced: a finished file and what it holds. */
export interface ProcessedImage {
  contentType: ImageType;
  width: number;
  height: number;
}

const FORMATS: Record<ImageFormat, ImageType | undefined> = {
  [ImageFormat.UNSPECIFIED]: undefined,
  [ImageFormat.PNG]: "image/png",
  [ImageFormat.JPEG]: "image/jpeg",
  [ImageFormat.WEBP]: "image/webp",
};

const FITS = {
  [Fit.UNSPECIFIED]: "inside",
  [Fit.INSIDE]: "inside",
  [Fit.COVER]: "cover",
  [Fit.FILL]: "fill",
} as const;

/** Between steps the image goes through a lossless, quickly written PNG file, never a raw buffer. */
const INTERMEDIATE_PNG = { compressionLevel: 1 } as const;

/**
 * Applies `operations` in the order given (sharp alone would reorder them: it always rotates
 * before it resizes) to the image at `inputPath`, and writes the result to `outputPath` in the
 * format the last ConvertFormat asks for — or the original's. Animated GIFs: the first frame.
 *
 * Memory stays small however large the image: each step is one sharp pipeline from file to file
 * (libvips streams most operations through in strips, so no step holds the whole image as a
 * buffer) and intermediate results go to files from `scratchPath()`. Call planRender first: it
 * checks every step's size before anything is decoded.
 */
export async function applyOperations(
  inputPath: string,
  sourceType: ImageType,
  operations: readonly Operation[],
  outputPath: string,
  maxPixels: number,
  scratchPath: () => string,
): Promise<ProcessedImage> {
  const open = (path: string): Sharp => sharp(path, { limitInputPixels: maxPixels, failOn: "error" });
  const scratch: string[] = [];
  try {
    let contentType = sourceType;
    let quality: number | undefined;
    for (const operation of operations) {
      if (operation.kind.case !== "format") continue;
      contentType = FORMATS[operation.kind.value.format] ?? contentType;
      quality = operation.kind.value.quality || undefined;
    }
    const steps = operations.filter((operation) => operation.kind.case !== "format");
    let current = inputPath;
    for (const operation of steps.slice(0, -1)) {
      const next = scratchPath();
      scratch.push(next);
      await step(open(current), operation).png(INTERMEDIATE_PNG).toFile(next);
      current = next;
    }
    const last = steps.at(-1);
    const image = last ? step(open(current), last) : open(current);
    const info = await encode(image, contentType, quality).toFile(outputPath);
    return { contentType, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw invalidInput([{ field: "image", description: `cannot be processed: ${(error as Error).message}` }]);
  } finally {
    await Promise.all(scratch.map((path) => rm(path, { force: true })));
  }
}

/**
 * Reads the image's header (no pixels) and plans `operations` on it: INVALID_ARGUMENT if it
 * cannot be read or a step would be over `maxPixels`; otherwise how much memory rendering holds.
 */
export async function planRender(
  inputPath: string,
  operations: readonly Operation[],
  maxPixels: number,
): Promise<Plan> {
  let header: sharp.Metadata;
  try {
    header = await sharp(inputPath, { limitInputPixels: maxPixels, failOn: "error" }).metadata();
  } catch (error) {
    throw invalidInput([{ field: "image", description: `cannot be processed: ${(error as Error).message}` }]);
  }
  const wide = header.depth === "ushort" || header.depth === "short";
  return planOperations(
    { width: header.width, height: header.height, channels: header.channels, bytesPerSample: wide ? 2 : 1 },
    operations,
    maxPixels,
  );
}

function step(image: Sharp, operation: Operation): Sharp {
  const { kind } = operation;
  switch (kind.case) {
    case "resize":
      return image.resize({
        width: kind.value.width || undefined,
        height: kind.value.height || undefined,
        fit: FITS[kind.value.fit],
      });
    case "thumbnail": {
      const size = kind.value.size || 128;
      return image.resize(size, size, { fit: "inside", withoutEnlargement: true });
    }
    case "grayscale":
      return image.grayscale().toColourspace("b-w"); // one channel: a third of the pixels to carry
    case "rotate":
      return image.rotate(kind.value.degrees);
    default:
      throw invalidInput([{ field: "operations", description: "an operation has no kind set" }]);
  }
}

function encode(image: Sharp, type: ImageType, quality: number | undefined): Sharp {
  switch (type) {
    case "image/png":
      return image.png();
    case "image/jpeg":
      return image.jpeg(quality ? { quality } : {});
    case "image/webp":
      return image.webp(quality ? { quality } : {});
    case "image/gif":
      return image.gif();
  }
}
