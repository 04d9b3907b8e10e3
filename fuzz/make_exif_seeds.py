#!/usr/bin/python3
"""Writes the seed corpus of fuzz_exif (fuzz/corpus/exif/): the beginnings
of JPEGs and PNGs (up to the image data, which the parser never reads)
carrying EXIF orientation blocks, valid ones in both byte orders and the
hostile shapes the parser must survive (truncated IFDs, offsets past the end,
IFD loops, counts of 65535, wrong types). Run once; the outputs are committed."""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/exif"
os.makedirs(out, exist_ok=True)


def tiff(entries, big=False, ifd=8, count=None, next_ifd=0):
    o = ">" if big else "<"
    b = (b"MM" if big else b"II") + struct.pack(o + "HI", 42, ifd) + b"\0" * (ifd - 8 if 8 <= ifd <= 64 else 0)
    b += struct.pack(o + "H", len(entries) if count is None else count)
    for tag, typ, n, v in entries:
        b += struct.pack(o + "HHI", tag, typ, n) + (struct.pack(o + "HH", v, 0) if typ == 3 else struct.pack(o + "I", v))
    return b + struct.pack(o + "I", next_ifd)


def jpeg(payload, marker=0xE1, prefix=b"Exif\0\0"):
    seg = prefix + payload
    return (b"\xff\xd8" + b"\xff\xe0\x00\x10JFIF\0\1\1\0\0\1\0\1\0\0" +
            b"\xff" + bytes([marker]) + struct.pack(">H", len(seg) + 2) + seg + b"\xff\xda\x00\x08\1\1\0\0\x3f\0")


def png(payload, ctype=b"eXIf"):
    chunk = lambda t, p: struct.pack(">I", len(p)) + t + p + b"\0\0\0\0"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
            chunk(ctype, payload) + chunk(b"IDAT", b"") + chunk(b"IEND", b""))


O = lambda v, typ=3, n=1: (0x0112, typ, n, v)
OTHER = [(0x010F, 2, 4, 0x006D6143), (0x011A, 5, 1, 0)]
blocks = {
    "ii-6": tiff(OTHER + [O(6)]),
    "mm-8": tiff(OTHER + [O(8)], big=True),
    "ii-3-only": tiff([O(3)]),
    "mm-5-far": tiff([O(5)], big=True, ifd=40),
    "loop": tiff(OTHER, next_ifd=8) + struct.pack("<H", 1) + struct.pack("<HHIHHI", 0x0112, 3, 1, 6, 0, 8),
    "count-65535": tiff(OTHER + [O(7)], count=0xFFFF),
    "offset-past-end": tiff([O(6)], ifd=0xFFFFFFF0),
    "long-type": tiff([O(6, typ=4)], big=True),
    "count-2": tiff([O(2, n=2)]),
    "value-9": tiff([O(9)], big=True),
    "truncated": tiff(OTHER + [O(6)])[:30],
}
for name, block in blocks.items():
    with open(os.path.join(out, "jpeg-%s" % name), "wb") as f:
        f.write(jpeg(block))
    with open(os.path.join(out, "png-%s" % name), "wb") as f:
        f.write(png(block))
with open(os.path.join(out, "png-exif-prefix"), "wb") as f:
    f.write(png(b"Exif\0\0" + blocks["ii-6"]))
with open(os.path.join(out, "jpeg-xmp-app1"), "wb") as f:
    f.write(jpeg(b"<x:xmpmeta/>", prefix=b"http://ns.adobe.com/xap/1.0/\0"))
