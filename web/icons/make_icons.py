#!/usr/bin/python3
"""Draws the page's icon: a fire module (a wide layer squeezed to a narrow 1x1
layer, expanded again by a 1x1 and a 3x3 half) on the page's accent colour.
Writes icon.svg (the favicon) and the PNGs the web app manifest names, all
from the one shape list below:  /usr/bin/python3 web/icons/make_icons.py"""
import os
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
GRID = 512                      # shapes are given on a 512x512 grid
BACKGROUND = ('#1f5fbf', 96)    # the page's --accent, corner radius
SHAPES = [                      # (x0, y0, x1, y1, radius, colour)
    (112, 120, 400, 168, 20, '#ffffff'),   # input
    (208, 232, 304, 280, 20, '#ffffff'),   # squeeze 1x1
    (112, 344, 248, 392, 20, '#ffffff'),   # expand 1x1
    (264, 344, 400, 392, 20, '#d6e4fa'),   # expand 3x3
]
FUNNELS = [                     # polygons joining the layers (squeeze, expand)
    ([(112, 168), (400, 168), (304, 232), (208, 232)], '#9dbff0'),
    ([(208, 280), (304, 280), (400, 344), (112, 344)], '#9dbff0'),
]


def svg():
    colour, radius = BACKGROUND
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {GRID} {GRID}">',
             f'<rect width="{GRID}" height="{GRID}" rx="{radius}" fill="{colour}"/>']
    for points, fill in FUNNELS:
        parts.append(f'<polygon points="{" ".join(f"{x},{y}" for x, y in points)}" fill="{fill}"/>')
    for x0, y0, x1, y1, r, fill in SHAPES:
        parts.append(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="{r}" fill="{fill}"/>')
    return ''.join(parts) + '</svg>\n'


def png(size):
    scale = size * 4 / GRID     # drawn 4x larger, then reduced: smooth edges
    big = Image.new('RGBA', (size * 4, size * 4), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    s = lambda v: round(v * scale)
    colour, radius = BACKGROUND
    draw.rounded_rectangle((0, 0, size * 4 - 1, size * 4 - 1), s(radius), fill=colour)
    for points, fill in FUNNELS:
        draw.polygon([(s(x), s(y)) for x, y in points], fill=fill)
    for x0, y0, x1, y1, r, fill in SHAPES:
        draw.rounded_rectangle((s(x0), s(y0), s(x1) - 1, s(y1) - 1), s(r), fill=fill)
    return big.resize((size, size), Image.LANCZOS)


if __name__ == '__main__':
    with open(os.path.join(HERE, 'icon.svg'), 'w') as f:
        f.write(svg())
    for size in (192, 512):
        png(size).save(os.path.join(HERE, f'icon-{size}.png'), optimize=True)
