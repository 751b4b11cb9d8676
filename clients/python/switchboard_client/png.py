"""A valid RGB PNG from the standard library alone, for examples and tests (no imaging package)."""

import os
import struct
import zlib


def png(width: int, height: int, *, noise: bool = False) -> bytes:
    """A width x height gradient (or, with `noise`, random and so incompressible) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + (os.urandom(width * 3) if noise else bytes([y * 255 // max(1, height - 1)]) * (width * 3))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
