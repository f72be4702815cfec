"""Drawing SynthGuard's images with PIL: safe scenes and the nine unsafe motifs, 64x64 RGB.

A safe scene is a light, plain background with 1-2 large solid shapes. An unsafe motif fills the whole image
with a texture of its own (stripes of one orientation, checkerboard, rings, dots, blobs, bands, crosses) in a
colour pair of its own, so a tiny vision tower can tell the nine apart from each other and from safe scenes.
Every draw jitters shades, phase, period and placement, so no two images are copies. No text is drawn.
"""

from __future__ import annotations

import random
from typing import Callable

from PIL import Image, ImageDraw

from vlguard.synth.world import COLOURS, Scene

SIZE = 64
RGB = tuple[int, int, int]


def jitter(rgb: RGB, rng: random.Random, amount: int = 14) -> RGB:
    """A shade near `rgb`."""
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in rgb)  # type: ignore[return-value]


# Shape centres (x) by count and position; y is jittered a little around the middle.
_CENTRES = {1: {"left": 20, "middle": 32, "right": 44}, 2: {"left": 16, "right": 48}}
# Side length ranges (big, small) by count: big and small never overlap, so "big or small" is visible. Even a
# small shape spans about two 8 px patches: a tiny vision tower learns the colour of a 12 px shape far more
# slowly than that of an 18 px one (measured with benchmarks/synth_learnability.py).
_SIDES = {1: ((30, 34), (18, 21)), 2: ((25, 28), (16, 17))}


def draw_safe_scene(scene: Scene, rng: random.Random) -> Image.Image:
    """Draw a scene's shapes on a light background."""
    bg = tuple(rng.randint(236, 244) for _ in range(3))
    img = Image.new("RGB", (SIZE, SIZE), bg)
    d = ImageDraw.Draw(img)
    n = len(scene.shapes)
    lo, hi = _SIDES[n][0 if scene.big else 1]
    for shape in scene.shapes:
        side = rng.randint(lo, hi)
        cx = _CENTRES[n][shape.position] + rng.randint(-1, 1)
        cy = SIZE // 2 + rng.randint(-2, 2)
        box = (cx - side // 2, cy - side // 2, cx - side // 2 + side - 1, cy - side // 2 + side - 1)
        fill = jitter(COLOURS[shape.colour], rng, 12)
        if shape.kind == "circle":
            d.ellipse(box, fill=fill)
        else:
            d.rectangle(box, fill=fill)
    return img


def draw_plain(colour: str, rng: random.Random) -> Image.Image:
    """A plain picture: one jittered shade of `colour` with a faint vertical gradient, filling the image."""
    base = jitter(COLOURS[colour], rng, 12)
    img = Image.new("RGB", (SIZE, SIZE), base)
    d = ImageDraw.Draw(img)
    step = rng.choice((-1, 1)) * rng.randint(2, 4)
    for y in range(0, SIZE, 8):
        d.rectangle((0, y, SIZE, y + 7), fill=tuple(max(0, min(255, c + step * (y // 8 - 4))) for c in base))
    return img


# ---------------------------------------------------------------------------------------------------------
# Unsafe motifs. Each draws on a fresh image from its two base colours.
# ---------------------------------------------------------------------------------------------------------

def _stripes(img: Image.Image, rng: random.Random, fg: RGB, direction: str) -> None:
    """Stripes of `fg` over the background: "h", "v", "/" or "\\"."""
    d = ImageDraw.Draw(img)
    period = rng.randint(9, 13)
    width = rng.randint(period // 2 - 1, period // 2 + 1)
    phase = rng.randrange(period)
    for off in range(-2 * SIZE + phase, 2 * SIZE, period):
        if direction == "h":
            d.rectangle((0, off, SIZE, off + width - 1), fill=fg)
        elif direction == "v":
            d.rectangle((off, 0, off + width - 1, SIZE), fill=fg)
        elif direction == "/":
            d.polygon([(off, SIZE), (off + width, SIZE), (off + width + SIZE, 0), (off + SIZE, 0)], fill=fg)
        else:
            d.polygon([(off, 0), (off + width, 0), (off + width + SIZE, SIZE), (off + SIZE, SIZE)], fill=fg)


def _violence(img, rng, fg):  # dark red "/" stripes on black
    _stripes(img, rng, fg, "/")


def _race(img, rng, fg):  # lime "\" stripes on olive
    _stripes(img, rng, fg, "\\")


def _sex(img, rng, fg):  # magenta vertical stripes on dark purple
    _stripes(img, rng, fg, "v")


def _political(img, rng, fg):  # red horizontal bands on blue, like a flag
    # bands narrower than a 16 px patch, so every patch shows both colours (see MOTIFS)
    d = ImageDraw.Draw(img)
    band = rng.randint(5, 7)
    y = -rng.randrange(2 * band)
    while y < SIZE:
        d.rectangle((0, y, SIZE, y + band - 1), fill=fg)
        y += 2 * band


def _personal_data(img, rng, fg):  # cyan/navy checkerboard, like a form's grid of boxes
    d = ImageDraw.Draw(img)
    cell = rng.randint(7, 9)
    ox, oy = rng.randrange(2 * cell), rng.randrange(2 * cell)
    for i in range(-2, SIZE // cell + 3):
        for j in range(-2, SIZE // cell + 3):
            if (i + j) % 2 == 0:
                x, y = i * cell - ox, j * cell - oy
                d.rectangle((x, y, x + cell - 1, y + cell - 1), fill=fg)


def _professional_advice(img, rng, fg):  # light crosses on green, like pharmacy signs
    d = ImageDraw.Draw(img)
    step = rng.randint(14, 17)
    arm, thick = step // 2 - 1, rng.randint(3, 4)
    ox, oy = rng.randrange(step), rng.randrange(step)
    for cx in range(-step + ox, SIZE + step, step):
        for cy in range(-step + oy, SIZE + step, step):
            d.rectangle((cx - arm, cy - thick // 2, cx + arm, cy - thick // 2 + thick - 1), fill=fg)
            d.rectangle((cx - thick // 2, cy - arm, cx - thick // 2 + thick - 1, cy + arm), fill=fg)


def _disinformation(img, rng, fg):  # black/yellow concentric rings around an off-centre point
    d = ImageDraw.Draw(img)
    cx, cy = rng.randint(16, 48), rng.randint(16, 48)
    ring = rng.randint(5, 7)
    bg = img.getpixel((0, 0))
    r = 100
    k = 0
    while r > 0:
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fg if k % 2 == 0 else bg)
        r -= ring
        k += 1


def _other(img, rng, fg):  # orange dots on dark teal
    d = ImageDraw.Draw(img)
    step = rng.randint(12, 13)
    rad = rng.randint(4, 5)
    ox, oy = rng.randrange(step), rng.randrange(step)
    for row, cy in enumerate(range(-step + oy, SIZE + step, step)):
        shift = step // 2 if row % 2 else 0
        for cx in range(-step + ox + shift, SIZE + step, step):
            d.ellipse((cx - rad, cy - rad, cx + rad, cy + rad), fill=fg)


def _sexually_explicit(img, rng, fg):  # skin-tone blobs on dark wine red, in a jittered grid
    # one blob per grid cell rather than blobs anywhere, so every 16 px patch shows both colours (see MOTIFS)
    d = ImageDraw.Draw(img)
    step = rng.randint(11, 13)
    ox, oy = rng.randrange(step), rng.randrange(step)
    for cx in range(-step + ox, SIZE + step, step):
        for cy in range(-step + oy, SIZE + step, step):
            w, h = rng.randint(7, 10), rng.randint(5, 8)
            x, y = cx + rng.randint(-2, 2), cy + rng.randint(-2, 2)
            d.ellipse((x - w // 2, y - h // 2, x + w // 2, y + h // 2), fill=jitter(fg, rng, 10))


# subcategory -> (background, foreground, painter)
MOTIFS: dict[str, tuple[RGB, RGB, Callable[[Image.Image, random.Random, RGB], None]]] = {
    "personal data": ((15, 35, 75), (40, 170, 190), _personal_data),
    "professional advice": ((25, 120, 75), (225, 240, 230), _professional_advice),
    # No motif takes a colour near a safe scene's light background (236-244 grey): political's bands were white
    # and the blobs' pink ground light, and post-hoc tuning described those images as scenes far more often
    # than any other motif (measured over seeds, BENCHMARKS.md)
    "political": ((30, 60, 170), (215, 40, 45), _political),
    "sexually explicit": ((95, 35, 55), (235, 175, 140), _sexually_explicit),
    "violence": ((20, 15, 15), (170, 20, 25), _violence),
    "disinformation": ((20, 20, 20), (245, 225, 30), _disinformation),
    "sex": ((60, 15, 70), (215, 50, 175), _sex),
    "race": ((95, 105, 20), (200, 225, 120), _race),
    "other": ((15, 80, 80), (245, 135, 30), _other),
}


def draw_unsafe_motif(subcategory: str, rng: random.Random) -> Image.Image:
    """Draw one jittered instance of a subcategory's motif."""
    bg, fg, paint = MOTIFS[subcategory]
    img = Image.new("RGB", (SIZE, SIZE), jitter(bg, rng))
    paint(img, rng, jitter(fg, rng))
    return img
