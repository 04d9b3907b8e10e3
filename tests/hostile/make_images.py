#!/usr/bin/python3
"""Hostile and unusual images for the hostile-input tests, made with Pillow
and by hand (headers that lie), so no large file is committed.

Usage: /usr/bin/python3 tests/hostile/make_images.py OUTDIR SHARED_DIR

Writes the files and OUTDIR/manifest.txt, one case a line:

  valid NAME FILE CROP   an image every entry point must classify. CROP is
                         the 224x224 RGB crop Pillow makes of it with the
                         squeezenet1_1 recipe (convert('RGB'), shorter side to
                         256, BILINEAR, centre crop), or '-' when Pillow would
                         need gigabytes for it. Lossless files decode to
                         Pillow's pixels exactly, so classifying FILE must give
                         the same logits as classifying CROP raw; for JPEG
                         (a different IDCT) the same top-1.
  bad NAME FILE CODE WORD  an input every entry point must refuse with status
                         CODE (sqz_status name) and a message containing WORD.

Deterministic: the same files every run.
"""
import io
import os
import random
import struct
import sys
import zlib

from PIL import Image

out_dir, shared = sys.argv[1], sys.argv[2]
os.makedirs(out_dir, exist_ok=True)
rng = random.Random(6)
lines = []
photo_path = os.path.join(shared, "testdata", "imagenet-sample", "n01440764_tench.JPEG")
with Image.open(photo_path) as im:
    photo = im.convert("RGB")  # 500 x 375


def path(name):
    return os.path.join(out_dir, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)
    return path(name)


def crop_224(img):
    """The squeezenet1_1 recipe in Pillow: the independent reference."""
    rgb = img.convert("RGB")
    w, h = rgb.size
    if w <= h:
        rw, rh = 256, round(h * 256 / w)
    else:
        rw, rh = round(w * 256 / h), 256
    x0, y0 = (rw - 224) // 2, (rh - 224) // 2
    return rgb.resize((rw, rh), Image.BILINEAR).crop((x0, y0, x0 + 224, y0 + 224))


def valid(name, data, truth):
    """truth: the image as Pillow must see it, or None."""
    f = write(name, data)
    crop = "-"
    if truth is not None:
        crop = write(name + ".crop", crop_224(truth).tobytes())
    lines.append("valid %s %s %s" % (name, f, crop))


def bad(name, data, code, word):
    lines.append("bad %s %s %s %s" % (name, write(name, data), code, word))


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def png_chunk(tag, payload):
    body = tag + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def png_raw(w, h, depth, color, rows, extra=b""):
    """A PNG written by hand: IHDR as given (it may lie), rows filtered 0."""
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 0)
    data = b"".join(b"\0" + r for r in rows) if rows is not None else b""
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra +
            png_chunk(b"IDAT", zlib.compress(data)) + png_chunk(b"IEND", b""))


small = photo.resize((97, 61), Image.BILINEAR)

# ---- unusual but valid ----
valid("one_pixel.png", encode(Image.new("RGB", (1, 1), (200, 30, 90)), "PNG"),
      Image.new("RGB", (1, 1), (200, 30, 90)))
valid("one_pixel.jpg", encode(Image.new("RGB", (1, 1), (200, 30, 90)), "JPEG", quality=95),
      Image.new("RGB", (1, 1), (200, 30, 90)))
thin = photo.resize((3, 500), Image.BILINEAR)
valid("thin_3x500.png", encode(thin, "PNG"), thin)
wide = photo.resize((500, 3), Image.BILINEAR)
valid("wide_500x3.png", encode(wide, "PNG"), wide)
# one pixel by the largest side allowed: resized to 256 x 4194304, only the
# crop is computed (Pillow would need 3 GB, so no reference crop)
line = Image.frombytes("L", (1, 16384), bytes((i * 7) & 255 for i in range(16384)))
valid("line_1x16384.png", encode(line, "PNG"), None)
valid("line_16384x1.png", encode(line.transpose(Image.Transpose.TRANSPOSE), "PNG"), None)
gray = photo.convert("L")
valid("gray.png", encode(gray, "PNG"), gray)
valid("gray.jpg", encode(gray, "JPEG", quality=90), gray)
valid("gray_alpha.png", encode(gray.convert("LA"), "PNG"), gray)
rgba = photo.convert("RGBA")
rgba.putalpha(Image.linear_gradient("L").resize(photo.size))  # alpha is dropped, as Pillow's convert('RGB')
valid("rgba.png", encode(rgba, "PNG"), rgba)
pal = photo.quantize(colors=64)
valid("palette.png", encode(pal, "PNG"), pal)
valid("palette.gif", encode(photo, "GIF"), Image.open(io.BytesIO(encode(photo, "GIF"))))
frames = [photo, photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
anim = io.BytesIO()
frames[0].save(anim, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
valid("animated.gif", anim.getvalue(), Image.open(io.BytesIO(anim.getvalue())))  # first frame
# 16-bit PNGs (stb_image and Pillow both keep the high byte of RGB)
px16 = [rng.getrandbits(16) for _ in range(160 * 120 * 3)]
rows16 = [b"".join(struct.pack(">H", v) for v in px16[y * 480:(y + 1) * 480]) for y in range(120)]
hi = Image.frombytes("RGB", (160, 120), bytes(v >> 8 for v in px16))
valid("rgb16.png", png_raw(160, 120, 16, 2, rows16), hi)
g16 = [rng.getrandbits(16) for _ in range(160 * 120)]
grows16 = [b"".join(struct.pack(">H", v) for v in g16[y * 160:(y + 1) * 160]) for y in range(120)]
valid("gray16.png", png_raw(160, 120, 16, 0, grows16),
      Image.frombytes("L", (160, 120), bytes(v >> 8 for v in g16)))
valid("progressive.jpg", encode(photo, "JPEG", quality=90, progressive=True), photo)
valid("baseline_444.jpg", encode(photo, "JPEG", quality=90, subsampling=0), photo)
big = photo.resize((4000, 3000), Image.BILINEAR)
valid("large_4000x3000.jpg", encode(big, "JPEG", quality=85), big)
valid("bmp24.bmp", encode(small, "BMP"), small)
valid("ppm.ppm", encode(small, "PPM"), small)
valid("pgm.pgm", encode(small.convert("L"), "PPM"), small.convert("L"))
# exactly the pixel limit (8192 x 8192 = 64 Mi pixels), a flat gray PNG
valid("limit_8192x8192.png", png_raw(8192, 8192, 8, 0, [bytes(8192)] * 8192), None)
# mislabelled but valid: the content decides, not the name
valid("png_named.jpg", encode(small, "PNG"), small)
valid("jpeg_named.png", encode(photo, "JPEG", quality=90), photo)
valid("gif_named.bmp", encode(small, "GIF"), Image.open(io.BytesIO(encode(small, "GIF"))))

# ---- refused ----
jpeg = encode(photo, "JPEG", quality=90)
png = encode(small, "PNG")
gif = encode(small, "GIF")
bmp = encode(small, "BMP")
ppm = encode(small, "PPM")
bad("empty.jpg", b"", "ERR_IMAGE", "empty")
bad("empty.png", b"", "ERR_IMAGE", "empty")
for cut in (1, 2, 100, len(jpeg) // 2, len(jpeg) - 2):
    bad("jpeg_cut_%d.jpg" % cut, jpeg[:cut], "ERR_IMAGE", "stb_image")
for cut in (4, 8, 30, len(png) // 2, len(png) - 13):
    bad("png_cut_%d.png" % cut, png[:cut], "ERR_IMAGE", "stb_image")
for cut in (3, 13, len(gif) // 2):
    bad("gif_cut_%d.gif" % cut, gif[:cut], "ERR_IMAGE", "truncated" if cut > 13 else "stb_image")
for cut in (2, 30, len(bmp) // 2, len(bmp) - 1):
    bad("bmp_cut_%d.bmp" % cut, bmp[:cut], "ERR_IMAGE", "truncated" if cut > 54 else "stb_image")
for cut in (2, 10, len(ppm) // 2, len(ppm) - 1):
    bad("ppm_cut_%d.ppm" % cut, ppm[:cut], "ERR_IMAGE", "truncated" if cut >= 10 else "pixels")
for n in (1, 7, 100, 4096, 65536):
    bad("random_%d.jpg" % n, bytes(rng.getrandbits(8) for _ in range(n)), "ERR_IMAGE", "signature")
# (what random headers declare decides the reason: a huge GIF, a 0 x 0 PNM)
for sig, ext, code, word in ((b"\xff\xd8\xff", "jpg", "ERR_IMAGE", "stb_image"),
                             (b"\x89PNG\r\n\x1a\n", "png", "ERR_IMAGE", "stb_image"),
                             (b"GIF89a", "gif", "ERR_LIMIT", "limits"),
                             (b"BM", "bmp", "ERR_IMAGE", "stb_image"),
                             (b"P6\n", "ppm", "ERR_IMAGE", "pixels")):
    bad("signature_then_random.%s" % ext, sig + bytes(rng.getrandbits(8) for _ in range(3000)),
        code, word)
bad("text_named.jpg", b"This is not an image.\n" * 20, "ERR_IMAGE", "signature")
bad("html_named.png", b"<!doctype html><title>404 Not Found</title>", "ERR_IMAGE", "signature")
bad("webp.webp", encode(small, "WEBP"), "ERR_IMAGE", "signature")
bad("tiff.tif", encode(small, "TIFF"), "ERR_IMAGE", "signature")
with open(os.path.join(shared, "models", "upstream", "synset_words.txt"), "rb") as f:
    bad("labels_named.png", f.read(), "ERR_IMAGE", "signature")

# what fuzzing found in stb_image 2.27: a Huffman table of more than 256
# codes (it writes past the table), a PNM size that overflows an int
i = jpeg.index(b"\xff\xc4") + 5
bad("jpeg_huffman_overflow.jpg", jpeg[:i] + b"\xff\xff" + bytes(14) + jpeg[i + 16:], "ERR_IMAGE", "Huffman")
bad("pnm_size_overflow.ppm", b"P6\n35 66666666666666666666\n255\n" + bytes(300), "ERR_IMAGE", "digits")

# headers declaring huge or zero sizes, with (almost) no pixel data
bad("png_60000x60000.png", png_raw(60000, 60000, 8, 2, None), "ERR_LIMIT", "limits")
bad("png_16385x1.png", png_raw(16385, 1, 8, 2, None), "ERR_LIMIT", "limits")
bad("png_16384x16384.png", png_raw(16384, 16384, 8, 0, None), "ERR_LIMIT", "limits")
bad("png_8193x8192.png", png_raw(8193, 8192, 8, 0, None), "ERR_LIMIT", "8193")
bad("png_2147483647x1.png", png_raw(2147483647, 1, 8, 0, None), "ERR_LIMIT", "limits")
bad("png_0x0.png", png_raw(0, 0, 8, 2, None), "ERR_IMAGE", "0-pixel")
bad("png_0x10.png", png_raw(0, 10, 8, 2, None), "ERR_IMAGE", "0-pixel")


def jpeg_with_size(w, h):
    # replace the height and width in the first SOF0 of a real JPEG
    i = jpeg.index(b"\xff\xc0")
    return jpeg[:i + 5] + struct.pack(">HH", h, w) + jpeg[i + 9:]


bad("jpeg_65000x65000.jpg", jpeg_with_size(65000, 65000), "ERR_LIMIT", "limits")
bad("jpeg_0x0.jpg", jpeg_with_size(0, 0), "ERR_IMAGE", "stb_image")
gif_hdr = lambda w, h: b"GIF89a" + struct.pack("<HH", w, h) + b"\x00\x00\x00" + b";"
bad("gif_65535x65535.gif", gif_hdr(65535, 65535), "ERR_LIMIT", "limits")
bad("gif_0x0.gif", gif_hdr(0, 0), "ERR_IMAGE", "pixels")


def bmp_with_size(w, h):
    return bmp[:18] + struct.pack("<ii", w, h) + bmp[26:]


bad("bmp_60000x60000.bmp", bmp_with_size(60000, 60000), "ERR_LIMIT", "limits")
bad("bmp_0x0.bmp", bmp_with_size(0, 0), "ERR_IMAGE", "pixels")
bad("ppm_60000x60000.ppm", b"P6\n60000 60000\n255\n" + bytes(100), "ERR_LIMIT", "limits")
bad("ppm_0x0.ppm", b"P6\n0 0\n255\n", "ERR_IMAGE", "pixels")

with open(os.path.join(out_dir, "manifest.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("%d valid, %d refused" % (sum(l.startswith("valid") for l in lines),
                                sum(l.startswith("bad") for l in lines)))
