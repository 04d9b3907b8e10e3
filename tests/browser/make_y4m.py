#!/usr/bin/python3
"""Writes a photo as a short Y4M video (4:2:0, BT.601 limited range), the
format Chromium's fake camera (--use-file-for-fake-video-capture) plays.

usage: make_y4m.py PHOTO OUT.y4m [FRAMES]
"""
import sys
from PIL import Image


def main():
    photo, out = sys.argv[1], sys.argv[2]
    frames = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    img = Image.open(photo).convert('RGB')
    w, h = img.size[0] & ~1, img.size[1] & ~1          # 4:2:0 needs even sides
    img = img.crop((0, 0, w, h))
    # PIL's YCbCr is JFIF full range; video players read limited range.
    y, cb, cr = img.convert('YCbCr').split()
    y = y.point(lambda v: round(16 + v * 219 / 255))
    chroma = [c.point(lambda v: round(128 + (v - 128) * 224 / 255)).resize((w // 2, h // 2), Image.BOX)
              for c in (cb, cr)]
    frame = b'FRAME\n' + y.tobytes() + chroma[0].tobytes() + chroma[1].tobytes()
    with open(out, 'wb') as f:
        f.write(f'YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n'.encode())
        for _ in range(frames):
            f.write(frame)


if __name__ == '__main__':
    main()
