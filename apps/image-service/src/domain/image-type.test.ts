import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { detectImageType } from "./image-type.js";

const pixel = () => sharp({ create: { width: 2, height: 2, channels: 3, background: "#f00" } });

describe("detectImageType", () => {
  it.each([
    ["image/png", () => pixel().png().toBuffer()],
    ["image/jpeg", () => pixel().jpeg().toBuffer()],
    ["image/webp", () => pixel().webp().toBuffer()],
    ["image/gif", () => pixel().gif().toBuffer()],
  ])("recognises %s from bytes sharp encoded", async (type, encode) => {
    expect(detectImageType(await encode())).toBe(type);
  });

  it.each([
    ["a zip", Buffer.from("PK\x03\x04\x14\x00\x00\x00", "latin1")],
    ["a PDF", Buffer.from("%PDF-1.7\n")],
    ["a RIFF that is not WebP (WAV)", Buffer.from("RIFF\x24\x08\x00\x00WAVEfmt ", "latin1")],
    ["a truncated PNG signature", Buffer.from([0x89, 0x50, 0x4e, 0x47])],
    ["nothing", Buffer.alloc(0)],
  ])("rejects %s", (_name, bytes) => {
    expect(detectImageType(bytes)).toBeUndefined();
  });
});
