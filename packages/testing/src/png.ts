import { randomBytes } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

/** An RGB PNG, `noise` making it incompressible (and so large), built with zlib only. */
export function pngOf(width: number, height: number, noise = false): Uint8Array {
  const row = (y: number) =>
    Buffer.concat([
      Buffer.from([0]), // filter: none
      noise ? randomBytes(width * 3) : Buffer.alloc(width * 3, (y * 255) / Math.max(1, height - 1)),
    ]);
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(Array.from({ length: height }, (_, y) => row(y))))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
