import { Fit, ImageFormat, type Operation } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import { InvalidInputError, invalidInput } from "@switchboard/runtime";
import sharp, { type Sharp } from "sharp";
import type { ImageType } from "./image-type.js";

/** What processing produced: a finished file and what it holds. */
export interface ProcessedImage {
  contentType: ImageType;
  width: number;
  height: number;
}

/** A decoded image between steps: raw pixels, so no step re-encodes (and loses quality). */
interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
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

/**
 * Applies `operations` in the order given (sharp alone would reorder them: it always rotates
 * before it resizes) to the image at `inputPath`, and writes the result to `outputPath` in the
 * format the last ConvertFormat asks for — or the original's. Animated GIFs: the first frame.
 * An image that cannot be decoded is INVALID_ARGUMENT; so is a step whose result is over
 * `maxPixels`.
 */
export async function applyOperations(
  inputPath: string,
  sourceType: ImageType,
  operations: readonly Operation[],
  outputPath: string,
  maxPixels: number,
): Promise<ProcessedImage> {
  const open = (pixels?: Pixels): Sharp =>
    pixels
      ? sharp(pixels.data, { raw: pixels, limitInputPixels: maxPixels })
      : sharp(inputPath, { limitInputPixels: maxPixels, failOn: "error" });
  let contentType = sourceType;
  let quality: number | undefined;
  let pixels: Pixels | undefined;
  try {
    for (const operation of operations) {
      if (operation.kind.case === "format") {
        contentType = FORMATS[operation.kind.value.format] ?? contentType;
        quality = operation.kind.value.quality || undefined;
        continue;
      }
      const { data, info } = await step(open(pixels), operation).raw().toBuffer({ resolveWithObject: true });
      if (info.width * info.height > maxPixels) {
        throw invalidInput([
          {
            field: "operations",
            description: `a step makes ${info.width}x${info.height} pixels, over ${maxPixels}`,
          },
        ]);
      }
      pixels = { data, width: info.width, height: info.height, channels: info.channels };
    }
    const info = await encode(open(pixels), contentType, quality).toFile(outputPath);
    return { contentType, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw invalidInput([{ field: "image", description: `cannot be processed: ${(error as Error).message}` }]);
  }
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
      return image.grayscale();
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
