#!/usr/bin/env python3
"""Writes the PWA icons into public/icons/ with nothing but the standard library.

The motif is a breathing circle: a white ring around a dot on Interlude's teal. "any" icons
have rounded corners (transparent outside); maskable icons fill the square and keep the
motif inside the 80 % safe zone. Run: python3 scripts/make_icons.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

TEAL = (15, 92, 87)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _cover(distance_outside: float) -> float:
    """Anti-aliased coverage of a pixel whose centre is `distance_outside` px beyond an edge."""
    return min(1.0, max(0.0, 0.5 - distance_outside))


def _rounded_square(x: float, y: float, size: int, radius: float) -> float:
    half = size / 2
    qx = abs(x - half) - (half - radius)
    qy = abs(y - half) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0)) + min(max(qx, qy), 0.0) - radius
    return _cover(outside)


def render(size: int, *, maskable: bool) -> bytes:
    c = size / 2
    scale = 0.8 if maskable else 1.0  # maskable: keep the motif well inside the safe zone
    ring_r = size * 0.27 * scale
    ring_w = size * 0.055 * scale
    dot_r = size * 0.09 * scale
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            x, y = i + 0.5, j + 0.5
            bg = 1.0 if maskable else _rounded_square(x, y, size, size * 0.22)
            d = math.hypot(x - c, y - c)
            ring = _cover(abs(d - ring_r) - ring_w / 2)
            dot = _cover(d - dot_r)
            white = max(ring, dot)
            rgb = [round(TEAL[k] * (1 - white) + WHITE[k] * white) for k in range(3)]
            row += bytes((*rgb, round(255 * bg)))
        rows.append(bytes(row))
    return _png(size, size, rows)


def render_badge(size: int) -> bytes:
    """Android's status-bar badge: one colour (white) on transparent; Android uses only the
    alpha channel, so a coloured icon would show as a white square."""
    c = size / 2
    ring_r, ring_w, dot_r = size * 0.34, size * 0.09, size * 0.13
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            d = math.hypot(i + 0.5 - c, j + 0.5 - c)
            alpha = max(_cover(abs(d - ring_r) - ring_w / 2), _cover(d - dot_r))
            row += bytes((*WHITE, round(255 * alpha)))
        rows.append(bytes(row))
    return _png(size, size, rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("maskable-192.png", 192, True),
        ("maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),  # iOS rounds the corners itself
    ):
        (OUT / name).write_bytes(render(size, maskable=maskable))
        print(f"wrote {OUT / name}")
    (OUT / "badge-96.png").write_bytes(render_badge(96))
    print(f"wrote {OUT / 'badge-96.png'}")


if __name__ == "__main__":
    main()
