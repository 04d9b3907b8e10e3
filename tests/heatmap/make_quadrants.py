#!/usr/bin/python3
"""Pictures for the heatmap tests (tests/c/test_heatmap.c, tests/node/heatmap.test.js),
made with Pillow: a photo shrunk to a quarter of a plain grey canvas, in each
quadrant in turn. The top class's map must peak in that quadrant.

Usage: /usr/bin/python3 tests/heatmap/make_quadrants.py OUTDIR SHARED_DIR [PER_MODEL]

For each model (squeezenet1_1, squeezenet1_0) the first PER_MODEL (default 10)
photos of SHARED_DIR/testdata/imagenet-sample, by name, whose top-1 in the
independent reference (SHARED_DIR/reference/MODEL/predictions.json) is their
true label. The canvas is 448 x 448, grey 128; the photo is resized (Pillow,
BICUBIC) to 224 x 224 and pasted at quadrant q: 0 top left, 1 top right,
2 bottom left, 3 bottom right. Saved as lossless PNG.

The first photo of each model is also put on a 640 x 480 canvas (320 x 240)
stored sideways as a JPEG with EXIF orientation 6, as a camera held sideways
writes it: its map, read in upright pixels, must peak in the same quadrant,
and its region is that of a 640 x 480 picture.

Writes OUTDIR/manifest.txt, one case a line (WIDTH x HEIGHT: the upright picture):
  MODEL PHOTO LABEL QUADRANT ORIENTATION WIDTH HEIGHT FILE
Deterministic: the same files every run.
"""
import json
import os
import sys

from PIL import Image

out_dir, shared = sys.argv[1], sys.argv[2]
per_model = int(sys.argv[3]) if len(sys.argv) > 3 else 10
os.makedirs(out_dir, exist_ok=True)
photos_dir = os.path.join(shared, "testdata", "imagenet-sample")
GREY = (128, 128, 128)
lines = []


def canvas_with(photo, q, w, h):
    canvas = Image.new("RGB", (w, h), GREY)
    canvas.paste(photo.resize((w // 2, h // 2), Image.BICUBIC), ((q % 2) * w // 2, (q // 2) * h // 2))
    return canvas


for model in ("squeezenet1_1", "squeezenet1_0"):
    with open(os.path.join(shared, "reference", model, "predictions.json")) as f:
        images = json.load(f)["images"]
    chosen = [name for name in sorted(images) if images[name]["top5"][0] == images[name]["label"]][:per_model]
    if len(chosen) < per_model:
        sys.exit(f"{model}: only {len(chosen)} photos whose reference top-1 is right")
    for n, name in enumerate(chosen):
        with Image.open(os.path.join(photos_dir, name)) as im:
            photo = im.convert("RGB")
        label = images[name]["label"]
        stem = os.path.splitext(name)[0]
        for q in range(4):
            file = os.path.join(out_dir, f"{model}-{stem}-q{q}.png")
            canvas_with(photo, q, 448, 448).save(file)
            lines.append(f"{model} {name} {label} {q} 1 448 448 {file}")
            if n == 0:
                # Orientation 6: exif_transpose turns the stored picture by ROTATE_270,
                # so it is stored turned by ROTATE_90.
                stored = canvas_with(photo, q, 640, 480).transpose(Image.Transpose.ROTATE_90)
                exif = Image.Exif()
                exif[0x0112] = 6
                file = os.path.join(out_dir, f"{model}-{stem}-q{q}-exif6.jpg")
                stored.save(file, quality=95, exif=exif.tobytes())
                lines.append(f"{model} {name} {label} {q} 6 640 480 {file}")

with open(os.path.join(out_dir, "manifest.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
