#!/usr/bin/python3
"""Writes the image seed corpus (fuzz/corpus/image/): small images of every
decoded format and kind, each behind the selector byte fuzz_image reads
first (model 0-2, 0x10 = raw crop, 0x20 = raw pixels). Run once; the
outputs are committed."""
import io
import os
import sys

from PIL import Image

out = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/image"
os.makedirs(out, exist_ok=True)
base = Image.linear_gradient("L").resize((16, 16)).convert("RGB")
base.putpixel((3, 4), (250, 10, 10))
images = {
    "rgb.png": (base, "PNG", {}),
    "gray.png": (base.convert("L"), "PNG", {}),
    "la.png": (base.convert("LA"), "PNG", {}),
    "rgba.png": (base.convert("RGBA"), "PNG", {}),
    "palette.png": (base.quantize(8), "PNG", {}),
    "baseline.jpg": (base, "JPEG", {"quality": 80}),
    "progressive.jpg": (base.resize((24, 19)), "JPEG", {"quality": 80, "progressive": True}),
    "gray.jpg": (base.convert("L").resize((9, 13)), "JPEG", {}),
    "palette.gif": (base, "GIF", {}),
    "rgb.bmp": (base.resize((7, 5)), "BMP", {}),
    "rgb.ppm": (base.resize((5, 3)), "PPM", {}),
    "gray.pgm": (base.convert("L").resize((3, 5)), "PPM", {}),
}
for name, (img, fmt, kw) in images.items():
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    data = buf.getvalue()
    for sel in (0, 1, 2, 0x10):
        with open(os.path.join(out, "%02x-%s" % (sel, name)), "wb") as f:
            f.write(bytes([sel]) + data)
# EXIF orientation: a JPEG and a PNG stored sideways with their tag, applied
# (selector 0x00, 0x01) and ignored (0x40 = SQZ_IGNORE_ORIENTATION)
exif = Image.Exif()
exif[0x0112] = 6
tagged = {
    "exif6.jpg": (base.resize((13, 9)), "JPEG", {"quality": 80, "exif": exif.tobytes()}),
    "exif6.png": (base.resize((11, 7)), "PNG", {"exif": exif.tobytes()}),
}
for name, (img, fmt, kw) in tagged.items():
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    for sel in (0, 1, 0x40):
        with open(os.path.join(out, "%02x-%s" % (sel, name)), "wb") as f:
            f.write(bytes([sel]) + buf.getvalue())
# raw pixels: 0x20, then width-1, height-1, format-1, stride padding, pixels
with open(os.path.join(out, "20-pixels"), "wb") as f:
    f.write(bytes([0x20, 15, 15, 2, 0]) + base.tobytes())
with open(os.path.join(out, "30-pixels-raw"), "wb") as f:
    f.write(bytes([0x30, 15, 15, 3, 4]) + base.convert("RGBA").tobytes() + bytes(4 * 16))
