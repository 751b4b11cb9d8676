import { randomBytes } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

/** A width x height RGB PNG — a gradient, or random (incompressible) pixels — from zlib alone. */
export function png(width, height, { noise = false } = {}) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const framed = Buffer.alloc(body.length + 8);
    framed.writeUInt32BE(data.length, 0);
    body.copy(framed, 4);
    framed.writeUInt32BE(crc32(body), body.length + 4);
    return framed;
  };
  const rows = [];
  for (let y = 0; y < height; y++) {
    const shade = Math.round((y * 255) / Math.max(1, height - 1));
    rows.push(Buffer.from([0]), noise ? randomBytes(width * 3) : Buffer.alloc(width * 3, shade));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
