"""Render an HTML report in headless Chromium (offline: no network at all), take a
screenshot, and check that its charts are drawn: each chart's colour covers many pixels,
and text (the axis ticks and labels) is drawn left of the plots.

Usage: screenshot.py CHROMIUM REPORT.html OUT.png
Prints what it found; exits non-zero when a chart or the axis text is missing.
"""

import struct
import subprocess
import sys
import zlib

chromium, page, png = sys.argv[1:4]
subprocess.run(
    [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
     "--proxy-server=127.0.0.1:9", "--window-size=1100,1500", f"--screenshot={png}",
     f"file://{page}"],
    check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


w, h, bpp, rows = decode(png)
want = {"volume bars": (0x33, 0x66, 0xcc), "p95 line": (0xff, 0x99, 0x00), "p99 line": (0xdc, 0x39, 0x12),
        "model cost bars": (0x99, 0x00, 0x99)}
counts = {k: 0 for k in want}
text_left = 0
for y, row in enumerate(rows):
    for x in range(0, w):
        px = row[x * bpp:x * bpp + 3]
        for k, c in want.items():
            if all(abs(px[i] - c[i]) <= 12 for i in range(3)):
                counts[k] += 1
        # Dark grey anti-aliased text in the margin where the axes' ticks and units are.
        if x < 60 and max(px) < 120:
            text_left += 1
print(f"{w}x{h}: " + ", ".join(f"{k} {v} px" for k, v in counts.items()) + f", axis text {text_left} px")
missing = [k for k, v in counts.items() if v < 200]
if missing or text_left < 300:
    raise SystemExit(f"not drawn: {missing or ''} {'axis text' if text_left < 300 else ''}")
