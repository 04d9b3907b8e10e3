#!/usr/bin/python3
"""Pictures stored sideways with an EXIF orientation tag, made with Pillow,
for the orientation tests (tests/c/test_orientation.c, tests/node/orientation.test.js).

Usage: /usr/bin/python3 tests/orientation/make_images.py OUTDIR SHARED_DIR

A portrait photo (a barn, 333 x 500) is the upright picture. For each EXIF
orientation 1-8 it is stored turned the other way, with the tag saying how
to turn it back, as a camera held sideways writes it. Pillow's own
ImageOps.exif_transpose of every file is checked to give the upright picture
back (or, for JPEG, is what the test compares with). Writes the files and
OUTDIR/manifest.txt, one case a line:

  upright FILE          the upright picture, lossless PNG, no EXIF
  png TAG FILE STORED   a lossless PNG with an eXIf chunk holding orientation
                        TAG; its pixels turned by TAG are exactly the upright
                        picture: the same logits. STORED: the same pixels as
                        stored, without EXIF (what ignoring the tag must give)
  jpeg TAG FILE UPRIGHT a JPEG (APP1 Exif) with orientation TAG; UPRIGHT is
                        Pillow's exif_transpose of it, saved as lossless PNG:
                        the same top-5 (stb_image and libjpeg differ in the
                        last bit of a few pixels)
  asis NAME FILE        a PNG of the upright picture whose EXIF is malformed
                        or hostile (truncated IFD, offsets past the end, a
                        looping IFD chain, counts of 65535, a wrong type, both
                        byte orders): no orientation applies, the same logits
                        as the upright picture
  turned NAME TAG FILE  unusual but valid EXIF (big-endian, many tags, an
                        "Exif\\0\\0" prefix in eXIf, other APP segments first):
                        orientation TAG applies, the same logits as upright

Deterministic: the same files every run.
"""
import io
import os
import struct
import sys
import zlib

from PIL import Image, ImageOps

out_dir, shared = sys.argv[1], sys.argv[2]
os.makedirs(out_dir, exist_ok=True)
PHOTO = os.path.join(shared, "testdata", "imagenet-sample", "n02793495_barn.JPEG")
with Image.open(PHOTO) as im:
    upright = im.convert("RGB")

T = Image.Transpose
# What exif_transpose does for each tag; the stored picture is the inverse.
TO_UPRIGHT = {1: None, 2: T.FLIP_LEFT_RIGHT, 3: T.ROTATE_180, 4: T.FLIP_TOP_BOTTOM,
              5: T.TRANSPOSE, 6: T.ROTATE_270, 7: T.TRANSVERSE, 8: T.ROTATE_90}
INVERSE = {None: None, T.FLIP_LEFT_RIGHT: T.FLIP_LEFT_RIGHT, T.ROTATE_180: T.ROTATE_180,
           T.FLIP_TOP_BOTTOM: T.FLIP_TOP_BOTTOM, T.TRANSPOSE: T.TRANSPOSE,
           T.ROTATE_270: T.ROTATE_90, T.TRANSVERSE: T.TRANSVERSE, T.ROTATE_90: T.ROTATE_270}
lines = []


def path(name):
    return os.path.join(out_dir, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)
    return path(name)


def stored_for(tag):
    t = INVERSE[TO_UPRIGHT[tag]]
    return upright if t is None else upright.transpose(t)


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def exif_bytes(tag):
    e = Image.Exif()
    e[0x0112] = tag
    return e.tobytes()


def same_pixels(a, b):
    return a.size == b.size and a.tobytes() == b.tobytes()


write("upright.png", encode(upright, "PNG"))
lines.append("upright " + path("upright.png"))

for tag in range(1, 9):
    stored = stored_for(tag)
    data = encode(stored, "PNG", exif=exif_bytes(tag))
    f = write("tag%d.png" % tag, data)
    s = write("tag%d_stored.png" % tag, encode(stored, "PNG"))
    with Image.open(io.BytesIO(data)) as im:
        assert im.getexif().get(0x0112) == tag, "Pillow did not write the tag"
        assert same_pixels(ImageOps.exif_transpose(im).convert("RGB"), upright), tag
    lines.append("png %d %s %s" % (tag, f, s))

for tag in (3, 6, 8):
    data = encode(stored_for(tag), "JPEG", quality=92, exif=exif_bytes(tag))
    f = write("tag%d.jpg" % tag, data)
    with Image.open(io.BytesIO(data)) as im:
        assert im.getexif().get(0x0112) == tag, "Pillow did not write the tag"
        turned = ImageOps.exif_transpose(im).convert("RGB")
    assert turned.size == upright.size, tag
    u = write("tag%d_upright.png" % tag, encode(turned, "PNG"))
    lines.append("jpeg %d %s %s" % (tag, f, u))


# ---- EXIF written by hand: TIFF blocks in either byte order ----
def tiff(entries, big=False, ifd=8, count=None, next_ifd=0, tail=b"", cut=None):
    """A TIFF block: header, IFD0 at `ifd` holding `entries` (tag, type,
    count, 4 value bytes already in the byte order), `count` possibly lying,
    then `tail`; cut to `cut` bytes if given."""
    o = ">" if big else "<"
    head = (b"MM" if big else b"II") + struct.pack(o + "HI", 42, ifd)
    body = struct.pack(o + "H", len(entries) if count is None else count)
    for tag, typ, n, value in entries:
        body += struct.pack(o + "HHI", tag, typ, n) + value
    body += struct.pack(o + "I", next_ifd)
    pad = ifd - 8 if 8 <= ifd <= 4096 else 0  # (an offset that lies points elsewhere)
    block = head + b"\0" * pad + body + tail
    return block if cut is None else block[:cut]


def short(v, big=False):
    return struct.pack(">HH" if big else "<HH", v, 0)


def orient(v, big=False, typ=3, n=1):
    return (0x0112, typ, n, short(v, big))


OTHER = [(0x010F, 2, 4, b"Cam\0"), (0x0110, 2, 4, b"One\0"), (0x011A, 5, 1, struct.pack("<I", 0))]


def png_with_chunk(img, ctype, payload, before_idat=True):
    """img as PNG, with one chunk added before the first IDAT (or before IEND)."""
    data = encode(img, "PNG")
    body = ctype + payload
    chunk = struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))
    at = data.index(b"IDAT") - 4 if before_idat else data.index(b"IEND") - 4
    return data[:at] + chunk + data[at:]


def asis(name, payload, ctype=b"eXIf", before_idat=True):
    f = write(name + ".png", png_with_chunk(upright, ctype, payload, before_idat))
    lines.append("asis %s %s" % (name, f))


def turned(name, tag, data):
    lines.append("turned %s %d %s" % (name, tag, write(name, data)))


# A looping chain: IFD0 (at 8) points to IFD1 (which holds the only
# orientation tag), IFD1 points back to IFD0. Only IFD0 counts.
ifd1 = 8 + 2 + 12 + 4
loop = tiff([(0x010F, 2, 4, b"Cam\0")], next_ifd=ifd1) + \
    struct.pack("<H", 1) + struct.pack("<HHI", 0x0112, 3, 1) + short(6) + struct.pack("<I", 8)

asis("ifd_loop_orientation_in_ifd1", loop)
asis("ifd_self_loop", tiff(OTHER, next_ifd=8))
asis("ifd_offset_past_end", tiff([orient(6)], ifd=0xFFFFFFF0, cut=8))
asis("ifd_offset_at_end", tiff([orient(6)], ifd=8, cut=8))
asis("ifd_offset_into_header", tiff([orient(6)], ifd=4))
asis("ifd_count_65535_tag_past_end", tiff(OTHER + [orient(6)], count=0xFFFF, cut=8 + 2 + 12 * 3 + 6))
asis("ifd_truncated_mid_entry", tiff([orient(6)], cut=8 + 2 + 9))
asis("ifd_count_0", tiff([orient(6)], count=0))
asis("orientation_long", tiff([(0x0112, 4, 1, struct.pack("<I", 6))]))
asis("orientation_count_2", tiff([orient(6, n=2)]))
asis("orientation_0", tiff([orient(0)]))
asis("orientation_9", tiff([orient(9)]))
asis("orientation_65535_big_endian", tiff([orient(0xFFFF, big=True)], big=True))
asis("byte_order_IM", b"IM" + tiff([orient(6)])[2:])
asis("magic_43", tiff([orient(6)])[:2] + struct.pack("<H", 43) + tiff([orient(6)])[4:])
asis("tiff_7_bytes", tiff([orient(6)])[:7])
asis("empty_exif", b"")
asis("exif_prefix_only", b"Exif\0\0")
asis("after_idat", tiff([orient(6)]), before_idat=False)
asis("lowercase_exif_chunk_name", tiff([orient(6)]), ctype=b"exIf")

# Valid EXIF, applied: the stored pixels are the upright picture turned the other way.
turned("big_endian_tag6.png", 6, png_with_chunk(stored_for(6), b"eXIf",
                                                 tiff([orient(6, big=True)], big=True)))
turned("many_tags_tag8.png", 8, png_with_chunk(
    stored_for(8), b"eXIf", tiff(OTHER + [orient(8)] + [(0x0213, 3, 1, short(1))])))
turned("exif_prefix_in_exif_chunk_tag3.png", 3, png_with_chunk(
    stored_for(3), b"eXIf", b"Exif\0\0" + tiff([orient(3)])))
turned("first_of_two_orientations_tag5.png", 5, png_with_chunk(
    stored_for(5), b"eXIf", tiff([orient(5), orient(2)])))
turned("ifd_far_away_tag7.png", 7, png_with_chunk(stored_for(7), b"eXIf", tiff([orient(7)], ifd=300)))


def jpeg_with_segments(img, segments):
    """img as a JPEG with extra marker segments right after SOI."""
    data = encode(img, "JPEG", quality=92)
    extra = b"".join(b"\xff" + bytes([m]) + struct.pack(">H", len(p) + 2) + p for m, p in segments)
    return data[:2] + extra + data[2:]


xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"
jpeg6 = jpeg_with_segments(stored_for(6), [(0xE0, b"JFIF\0\1\1\0\0\1\0\1\0\0"), (0xE1, xmp),
                                           (0xE1, b"Exif\0\0" + tiff([orient(6, big=True)], big=True))])
f = write("xmp_first_big_endian_tag6.jpg", jpeg6)
with Image.open(io.BytesIO(jpeg6)) as im:
    assert im.getexif().get(0x0112) == 6, "Pillow does not see the tag"
    u = write("xmp_first_big_endian_tag6_upright.png", encode(ImageOps.exif_transpose(im).convert("RGB"), "PNG"))
lines.append("jpeg 6 %s %s" % (f, u))

with open(path("manifest.txt"), "w") as out:
    out.write("\n".join(lines) + "\n")
print("%d cases" % len(lines))
