import type { Operation } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import { Fit } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import { invalidInput } from "@switchboard/runtime";

export interface Size {
  width: number;
  height: number;
}

/** What a decoder reports: size and the bytes of one pixel (channels × bytes per sample). */
export interface Header extends Size {
  channels: number;
  bytesPerSample: number;
}

export interface Plan {
  /** The final size. */
  size: Size;
  /**
   * The most bytes one step holds decoded at once. Steps stream through in strips except a
   * quarter turn, which needs its whole input decoded.
   */
  heldBytes: number;
}

/**
 * The size each step makes, worked out from the image's header before any pixel is decoded: a
 * chain whose step would exceed `maxPixels` (a fill to 8192×8192, a resize up of a large image)
 * is INVALID_ARGUMENT before it allocates anything.
 */
export function planOperations(source: Header, operations: readonly Operation[], maxPixels: number): Plan {
  let size: Size = source;
  let channels = source.channels;
  let heldBytes = 0;
  operations.forEach((operation, index) => {
    if (operation.kind.case === "rotate" && operation.kind.value.degrees % 360 !== 0) {
      heldBytes = Math.max(heldBytes, size.width * size.height * channels * source.bytesPerSample);
    }
    // Grey keeps only luminance (and alpha, when there is one).
    if (operation.kind.case === "grayscale") channels = channels % 2 === 0 ? 2 : 1;
    size = sizeAfter(size, operation);
    if (size.width * size.height > maxPixels) {
      throw invalidInput([
        {
          field: `operations[${index}]`,
          description: `makes ${size.width}x${size.height} pixels, over the limit of ${maxPixels}`,
        },
      ]);
    }
  });
  return { size, heldBytes };
}

function sizeAfter(size: Size, operation: Operation): Size {
  const { kind } = operation;
  switch (kind.case) {
    case "resize": {
      const { width, height, fit } = kind.value;
      if (width && height && (fit === Fit.COVER || fit === Fit.FILL)) return { width, height };
      return scaled(
        size,
        width ? width / size.width : Number.POSITIVE_INFINITY,
        height ? height / size.height : Number.POSITIVE_INFINITY,
      );
    }
    case "thumbnail": {
      const box = kind.value.size || 128;
      if (size.width <= box && size.height <= box) return size;
      return scaled(size, box / size.width, box / size.height);
    }
    case "rotate":
      return Math.abs(kind.value.degrees) % 180 === 90 ? { width: size.height, height: size.width } : size;
    default:
      return size;
  }
}

/** Aspect-preserving scale by the smaller of two factors (an unset side is infinite). */
function scaled(size: Size, byWidth: number, byHeight: number): Size {
  const factor = Math.min(byWidth, byHeight);
  return {
    width: Math.max(1, Math.round(size.width * factor)),
    height: Math.max(1, Math.round(size.height * factor)),
  };
}
