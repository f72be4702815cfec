"""SynthGuard's drawings: facts are visible, draws vary, and motifs are told apart by simple statistics."""

from __future__ import annotations

import random

import pytest
from PIL import Image

from vlguard.synth import scenes
from vlguard.synth import world as w

CLASSES = ("safe", *w.SUBCATEGORIES)


def _draw(cls: str, rng: random.Random) -> Image.Image:
    if cls == "safe":
        return scenes.draw_safe_scene(w.sample_scene(rng), rng)
    return scenes.draw_unsafe_motif(cls, rng)


def _near(p, q, tol=45) -> bool:
    return sum((a - b) ** 2 for a, b in zip(p, q)) <= tol ** 2


@pytest.mark.parametrize("cls", CLASSES)
def test_images_are_64px_rgb_and_every_draw_differs(cls):
    rng = random.Random(0)
    imgs = [_draw(cls, rng) for _ in range(20)]
    assert all(im.size == (64, 64) and im.mode == "RGB" for im in imgs)
    assert len({im.tobytes() for im in imgs}) == 20


def test_same_rng_state_draws_the_same_image():
    for cls in CLASSES:
        assert _draw(cls, random.Random(7)).tobytes() == _draw(cls, random.Random(7)).tobytes()


def test_safe_scene_shows_its_colours_in_their_columns_and_nothing_else():
    rng = random.Random(1)
    nominal = {"left": 16, "middle": 32, "right": 48}
    for _ in range(60):
        scene = w.sample_scene(rng)
        img = scenes.draw_safe_scene(scene, rng)
        pixels = [(i % 64, i // 64, p) for i, p in enumerate(img.getdata()) if min(p) < 200]
        assert min(img.getpixel((0, 0))) >= 220 and min(img.getpixel((63, 0))) >= 220  # light plain background
        for name, rgb in w.COLOURS.items():
            hits = [(x, y) for x, y, p in pixels if _near(p, rgb)]
            shape = next((s for s in scene.shapes if s.colour == name), None)
            if shape is None:
                assert not hits, name
                continue
            assert len(hits) >= 60  # large shapes: at least an 8x8 patch
            mean_x = sum(x for x, _ in hits) / len(hits)
            assert min(nominal, key=lambda p: abs(nominal[p] - mean_x)) == shape.position


def test_big_shapes_are_bigger_than_small_ones():
    rng = random.Random(2)
    for n in w.LAYOUTS:
        areas = {}
        for big in (True, False):
            scene = w.Scene(tuple(w.Shape(c, p, "square") for c, p in zip(("red", "blue", "green"), w.LAYOUTS[n][0])), big)
            px = scenes.draw_safe_scene(scene, rng).load()
            areas[big] = sum(_near(px[x, y], w.COLOURS["red"]) for x in range(64) for y in range(64))
        assert areas[True] > 2 * areas[False]


def _features(img: Image.Image) -> list[int]:
    return list(img.resize((8, 8), Image.BOX).tobytes())


def test_nearest_centroid_on_8x8_pixels_separates_safe_scenes_and_the_nine_motifs():
    """A cheap proxy for learnability: held-out draws are classified by the nearest class mean."""
    rng = random.Random(3)
    centroids = {}
    for cls in CLASSES:
        feats = [_features(_draw(cls, rng)) for _ in range(30)]
        centroids[cls] = [sum(v) / len(feats) for v in zip(*feats)]
    rng = random.Random(4)
    correct = total = 0
    for cls in CLASSES:
        for _ in range(40):
            f = _features(_draw(cls, rng))
            pred = min(CLASSES, key=lambda k: sum((a - b) ** 2 for a, b in zip(f, centroids[k])))
            correct += pred == cls
            total += 1
    assert correct / total >= 0.9
