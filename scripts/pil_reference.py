#!/usr/bin/python3
"""Reference data for tests/c/test_preprocess.c, made with Pillow.

Usage: /usr/bin/python3 scripts/pil_reference.py OUTDIR SHARED_DIR

Writes raw input pixels, Pillow's resize + centre-crop output for them, and
encoded variants (PNG, BMP, GIF, PNM) with the pixels a decoder must produce,
and OUTDIR/manifest.txt listing them, one case a line:

  resize NAME IN_FILE W H CHANNELS MODE SIZE CW CH OUT_FILE
      MODE 0 = warp to SIZE x SIZE, 1 = shorter side to SIZE; OUT_FILE is
      CW x CH RGB bytes from img.convert('RGB').resize(..., BILINEAR).crop()
  decode NAME ENC_FILE EXP_FILE W H CHANNELS EXP_CHANNELS
      the decoder must give W x H x CHANNELS bytes whose first EXP_CHANNELS
      channels equal EXP_FILE
  photo PATH W H   (a test photo and its size as Pillow reads it)
  refcrop NAME IN_FILE W H MODE SIZE CW CH PPM  (an independent reference crop)
"""
import os
import random
import sys

from PIL import Image

out_dir, shared = sys.argv[1], sys.argv[2]
lines = []
rng = random.Random(1234)


def py_round_long(long_side, size, short_side):
    # the documented recipe: round(long * size / short), Python 3 round()
    return round(long_side * size / short_side)


def resized(w, h, mode, size):
    if mode == 0:
        return size, size
    if w <= h:
        return size, py_round_long(h, size, w)
    return py_round_long(w, size, h), size


def crop_box(rw, rh, cw, ch):
    x0, y0 = (rw - cw) // 2, (rh - ch) // 2
    return x0, y0, x0 + cw, y0 + ch


def save_raw(name, img):
    path = os.path.join(out_dir, name)
    with open(path, "wb") as f:
        f.write(img.tobytes())
    return path


CHANNELS = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}


def add_resize(name, img):
    in_path = save_raw(name + ".in", img)
    w, h = img.size
    rgb = img.convert("RGB")
    for mode, size, cw, ch in ((0, 256, 227, 227), (1, 256, 224, 224)):
        rw, rh = resized(w, h, mode, size)
        res = rgb.resize((rw, rh), Image.BILINEAR).crop(crop_box(rw, rh, cw, ch))
        out_path = save_raw("%s.m%d.out" % (name, mode), res)
        lines.append("resize %s %s %d %d %d %d %d %d %d %s" % (
            name, in_path, w, h, CHANNELS[img.mode], mode, size, cw, ch, out_path))


def noise(w, h, mode):
    n = CHANNELS[mode]
    return Image.frombytes(mode, (w, h), bytes(rng.getrandbits(8) for _ in range(w * h * n)))


def smooth(w, h, mode):
    n = CHANNELS[mode]
    data = bytearray()
    for y in range(h):
        for x in range(w):
            for c in range(n):
                v = 127.5 + 127.5 * (((x * (c + 1) * 7) % (w + 13)) / (w + 13) - ((y * 5) % (h + 7)) / (h + 7))
                data.append(max(0, min(255, int(v))))
    return Image.frombytes(mode, (w, h), bytes(data))


# Synthetic images: odd sizes, thin, upscaling, unchanged dimensions, ties.
for (w, h) in ((37, 53), (300, 200), (640, 480), (1, 500), (500, 1), (2000, 10),
               (10, 10), (256, 256), (256, 500), (700, 256), (227, 300), (513, 512),
               (512, 513), (1023, 767), (3, 2)):
    add_resize("noise_%dx%d" % (w, h), noise(w, h, "RGB"))
for (w, h) in ((37, 53), (640, 480), (256, 256), (2000, 10)):
    add_resize("smooth_%dx%d" % (w, h), smooth(w, h, "RGB"))
for mode in ("L", "LA", "RGBA"):
    add_resize("noise_%s_123x77" % mode, noise(123, 77, mode))
    add_resize("smooth_%s_333x444" % mode, smooth(333, 444, mode))

# Real photos, decoded by Pillow (so decoder differences do not enter).
sample = os.path.join(shared, "testdata", "imagenet-sample")
photos = sorted(f for f in os.listdir(sample) if f.endswith(".JPEG"))
for f in photos:
    with Image.open(os.path.join(sample, f)) as im:
        lines.append("photo %s %d %d" % (os.path.join(sample, f), im.size[0], im.size[1]))
for f in photos[::20]:
    with Image.open(os.path.join(sample, f)) as im:
        add_resize("photo_" + f[:-5], im.convert("RGB"))

# The independent pipeline's crops (../shared/reference): our resize of
# Pillow-decoded photos must give exactly these. Every crop must have its
# photo: a missing one is an error, not a smaller comparison.
for model, mode, size, crop in (("squeezenet1_1", 1, 256, 224), ("squeezenet1_0", 0, 256, 227)):
    ref = os.path.join(shared, "reference", model)
    for f in sorted(os.listdir(ref)):
        if not f.endswith(".ppm"):
            continue
        stem = f[:-4]
        jpeg = os.path.join(sample, stem + ".JPEG")
        with Image.open(jpeg) as im:
            rgb = im.convert("RGB")
        in_path = save_raw("ref_%s_%s.in" % (model, stem), rgb)
        lines.append("refcrop %s_%s %s %d %d %d %d %d %d %s" % (
            model, stem, in_path, rgb.size[0], rgb.size[1], mode, size, crop, crop,
            os.path.join(ref, f)))

# Encoded variants for the decoder.
with Image.open(os.path.join(sample, photos[0])) as im:
    photo = im.convert("RGB").crop((0, 0, 97, 61))
variants = []
for mode in ("L", "LA", "RGB", "RGBA"):
    variants.append(("png_" + mode, "png", photo.convert(mode) if mode != "LA" else
                     photo.convert("L").convert("LA"), CHANNELS[mode]))
variants.append(("bmp_RGB", "bmp", photo, 3))
variants.append(("ppm_RGB", "ppm", photo, 3))
variants.append(("pgm_L", "pgm", photo.convert("L"), 1))
for name, ext, img, n in variants:
    enc = os.path.join(out_dir, name + "." + ext)
    img.save(enc)
    exp = save_raw(name + ".exp", img)
    lines.append("decode %s %s %s %d %d %d %d" % (name, enc, exp, img.size[0], img.size[1], n, n))
# GIF: Pillow quantises on save; the expected pixels are what Pillow reads
# back. stb_image returns RGBA for GIFs.
gif = os.path.join(out_dir, "gif.gif")
photo.save(gif)
with Image.open(gif) as g:
    exp = save_raw("gif.exp", g.convert("RGB"))
lines.append("decode gif %s %s %d %d 4 3" % (gif, exp, photo.size[0], photo.size[1]))
# 16-bit gray PNG: stb_image keeps the high byte.
wide = Image.new("I;16", (40, 30))
vals = [rng.getrandbits(16) for _ in range(40 * 30)]
wide.putdata(vals)
png16 = os.path.join(out_dir, "png16.png")
wide.save(png16)
with open(os.path.join(out_dir, "png16.exp"), "wb") as f:
    f.write(bytes(v >> 8 for v in vals))
lines.append("decode png16 %s %s 40 30 1 1" % (png16, os.path.join(out_dir, "png16.exp")))

with open(os.path.join(out_dir, "manifest.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
