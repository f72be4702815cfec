"""Typographic attack images: FigStep's numbered-list images and MM-SafetyBench's TYPO key-phrase images.

Both benchmarks ship (or once shipped) rendered PNG/JPG files; we re-render them from their text so the
full sets are available and reproducible. The recipes follow the original generators (described, not
copied, in ../shared/data/figstep/RENDERING_NOTES.md):

- FigStep: 760x760 white RGB canvas, monospace bold 80 px, text at (20, 10), 11 px line spacing; the
  instruction wrapped at 15 characters (`textwrap`), then three empty items "1. ", "2. ", "3. ".
- MM-SafetyBench TYPO: the key phrase in a sans font at 90 px on a 1024 px wide canvas, wrapped greedily
  by measured width (< 1024 px; continuation lines start with a space), height 90 * (lines + 1), text at
  (0, 45), black on white.

The originals used GNU FreeMonoBold (GPL) and Arial (proprietary). We ship Liberation Mono Bold and
Liberation Sans Regular (SIL OFL 1.1, see resources/fonts/): Liberation Mono has the same 0.6 em advance
as FreeMono, so lines break and extend exactly as in FigStep, and Liberation Sans is metric-compatible
with Arial, so MM-SafetyBench's line breaks and image heights are reproduced. Glyph shapes differ (sans
instead of Courier-like slab serifs), so pixels do not match; pass the original font file as `font=`
(or through the task's environment variable) to replicate FigStep exactly. Text layout uses Pillow's
BASIC engine (FreeType only) so output does not depend on whether libraqm is installed.

Rendered PNGs go to a content-addressed cache (`cache_root()`), one file per (style, text, font), so an
evaluation run can record a plain image path and judging never needs to render.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vlguard.errors import ConfigError, DataError
from vlguard.fileio import atomic_write

FONTS_DIR = Path(__file__).resolve().parents[1] / "resources" / "fonts"
DEFAULT_MONO_FONT = "LiberationMono-Bold.ttf"
DEFAULT_SANS_FONT = "LiberationSans-Regular.ttf"

FIGSTEP_CANVAS = 760
FIGSTEP_FONT_SIZE = 80
FIGSTEP_ORIGIN = (20, 10)
FIGSTEP_SPACING = 11
FIGSTEP_WRAP = 15
FIGSTEP_ITEMS = "\n1. \n2. \n3. "

MMSB_WIDTH = 1024
MMSB_FONT_SIZE = 90
MMSB_SPACING = 4  # Pillow's default multiline spacing, which MM-SafetyBench left as is

# Bump when a recipe changes, so cached images from the old recipe are not reused.
RECIPE_VERSION = 1


def resolve_font(font: str | os.PathLike | None, default: str) -> Path:
    """A font file: None -> the bundled `default`; a bundled file name; or a path to a .ttf/.otf file."""
    if font is None or str(font).strip() == "":
        return FONTS_DIR / default
    p = Path(font).expanduser()
    if p.is_file():
        return p.resolve()
    if (FONTS_DIR / str(font)).is_file():
        return FONTS_DIR / str(font)
    bundled = ", ".join(sorted(f.name for f in FONTS_DIR.glob("*.ttf")))
    raise ConfigError(f"font {str(font)!r}: no such file (bundled fonts: {bundled})")


@lru_cache(maxsize=16)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
    except OSError as e:
        raise ConfigError(f"font {path}: cannot be read as a TrueType/OpenType font ({e})") from None


def load_font(font: str | os.PathLike | None, size: int, default: str = DEFAULT_MONO_FONT) -> ImageFont.FreeTypeFont:
    """Open a font (see `resolve_font`) at `size` pixels."""
    return _font(str(resolve_font(font, default)), size)


@lru_cache(maxsize=64)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def font_digest(path: str | os.PathLike) -> str:
    """sha256 of a font file's bytes (cached while the file is unchanged)."""
    st = os.stat(path)
    return _file_digest(str(path), st.st_mtime_ns, st.st_size)


# ---- FigStep ---------------------------------------------------------------------------------------------

def figstep_text(instruction: str) -> str:
    """The text FigStep typesets: the instruction wrapped at 15 characters plus three empty list items."""
    body = instruction.rstrip("\n")
    if not body.strip():
        raise DataError("FigStep instruction is empty")
    return textwrap.fill(body, width=FIGSTEP_WRAP) + FIGSTEP_ITEMS


def render_figstep(instruction: str, font: str | os.PathLike | None = None) -> Image.Image:
    """FigStep's typographic image of `instruction` (760x760 RGB). Overlong text is cropped, as in FigStep."""
    f = load_font(font, FIGSTEP_FONT_SIZE, DEFAULT_MONO_FONT)
    im = Image.new("RGB", (FIGSTEP_CANVAS, FIGSTEP_CANVAS), "#FFFFFF")
    ImageDraw.Draw(im).multiline_text(FIGSTEP_ORIGIN, figstep_text(instruction), font=f, fill="#000000",
                                      spacing=FIGSTEP_SPACING)
    return im


# ---- MM-SafetyBench TYPO -----------------------------------------------------------------------------------

def mm_safetybench_lines(phrase: str, font: str | os.PathLike | None = None) -> list[str]:
    """Greedy word wrap by measured width: a word joins the line while the line stays under 1024 px.

    Widths are summed piecewise (first word, then " word" each), and a continuation line begins with the
    space before its first word, as in MM-SafetyBench.
    """
    if not phrase.strip():
        raise DataError("MM-SafetyBench key phrase is empty")
    f = load_font(font, MMSB_FONT_SIZE, DEFAULT_SANS_FONT)
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    words = phrase.split(" ")
    lines = [words[0]]
    width = draw.textlength(words[0], font=f)
    for word in words[1:]:
        piece = " " + word
        step = draw.textlength(piece, font=f)
        if width + step < MMSB_WIDTH:
            lines[-1] += piece
            width += step
        else:
            lines.append(piece)
            width = step
    return lines


def mm_safetybench_size(n_lines: int) -> tuple[int, int]:
    """Canvas size for a key phrase of `n_lines` lines: 1024 wide, 90 * (n_lines + 1) high."""
    return MMSB_WIDTH, MMSB_FONT_SIZE * (n_lines + 1)


def render_mm_safetybench(phrase: str, font: str | os.PathLike | None = None) -> Image.Image:
    """MM-SafetyBench's TYPO image of a key phrase (saved here as PNG; the originals are JPG)."""
    lines = mm_safetybench_lines(phrase, font)
    f = load_font(font, MMSB_FONT_SIZE, DEFAULT_SANS_FONT)
    im = Image.new("RGB", mm_safetybench_size(len(lines)), "#FFFFFF")
    ImageDraw.Draw(im).multiline_text((0, MMSB_FONT_SIZE // 2), "\n".join(lines), font=f, fill="#000000",
                                      spacing=MMSB_SPACING)
    return im


# ---- cache -------------------------------------------------------------------------------------------------

STYLES: dict[str, tuple[Callable[[str, str | os.PathLike | None], Image.Image], str]] = {
    "figstep": (render_figstep, DEFAULT_MONO_FONT),
    "mm_safetybench": (render_mm_safetybench, DEFAULT_SANS_FONT),
}


def cache_root() -> Path:
    """Where rendered images live: $VLGUARD_CACHE, else $XDG_CACHE_HOME/vlguard, else ~/.cache/vlguard."""
    if os.environ.get("VLGUARD_CACHE"):
        return Path(os.environ["VLGUARD_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "vlguard"


def png_bytes(im: Image.Image) -> bytes:
    """PNG bytes without metadata: the same image always gives the same bytes.

    Black-on-white renderings are pure grey, so they are stored as 8-bit greyscale (a third of the data,
    twice as fast to encode); opening them as RGB gives back exactly the rendered pixels.
    """
    buf = io.BytesIO()
    if im.mode == "RGB":
        r, g, b = im.split()
        if r.tobytes() == g.tobytes() == b.tobytes():
            im = r
    im.save(buf, format="PNG")
    return buf.getvalue()


@dataclass(frozen=True)
class Rendered:
    """A cached typographic image: `name` relative to `root` (what a Sample's image/image_root hold)."""

    root: Path
    name: str
    font: Path
    font_sha256: str


def image_key(style: str, text: str, font_sha256: str) -> str:
    """The cache file stem for (style, text, font): a sha256 over the recipe's inputs."""
    blob = json.dumps({"recipe": RECIPE_VERSION, "style": style, "text": text, "font": font_sha256},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def render_cached(style: str, text: str, font: str | os.PathLike | None = None,
                  root: str | os.PathLike | None = None) -> Rendered:
    """Render `text` in `style` ("figstep" or "mm_safetybench") into the cache unless already there.

    Files appear atomically (written beside, then renamed), so concurrent runs never see half a PNG.
    """
    if style not in STYLES:
        raise ConfigError(f"unknown typography style {style!r}; choose one of {', '.join(STYLES)}")
    render, default = STYLES[style]
    font_path = resolve_font(font, default)
    digest = font_digest(font_path)
    folder = Path(root) if root is not None else cache_root() / style
    name = image_key(style, text, digest) + ".png"
    if not (folder / name).is_file():
        data = png_bytes(render(text, font_path))
        try:
            with atomic_write(folder / name, "wb") as fh:
                fh.write(data)
        except OSError as e:
            raise ConfigError(f"{folder}: cannot write rendered images ({e.strerror}); set VLGUARD_CACHE") from None
    return Rendered(folder, name, font_path, digest)


# ---- comparison with reference renderings ------------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    """How close a rendering is to a reference image of the same size (both black text on white)."""

    identical: bool
    bbox_shift: int  # largest difference between the two text bounding boxes' edges, in pixels
    dark_ratio: float  # dark (< 128) pixels in the rendering / dark pixels in the reference
    text_lines: tuple[int, int]  # text bands (runs of rows holding dark pixels): rendering, reference
    line_shift: int | None  # with as many bands in both: largest left/right edge difference of a band, px
    line_dark_ratio: tuple[float, float] | None  # with as many bands: min and max per-band dark-pixel ratio
    mad: float  # mean absolute grey difference after downsampling by `cell` (box filter), in [0, 1]


def _dark(im: Image.Image) -> np.ndarray:
    return np.asarray(im.convert("L")) < 128


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())) if len(xs) else (0, 0, 0, 0)


def _bands(mask: np.ndarray) -> list[np.ndarray]:
    # A row belongs to text if any pixel in it is dark; a band (a text line) is a run of such rows.
    rows = mask.any(axis=1).astype(np.int8)
    edges = np.diff(rows, prepend=0, append=0)
    starts, stops = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return [mask[a:b] for a, b in zip(starts, stops)]


def compare_images(im: Image.Image, ref: Image.Image, cell: int = 20) -> Comparison:
    """Structural similarity of two typographic images (different fonts never match pixel for pixel)."""
    if im.size != ref.size:
        raise ValueError(f"sizes differ: {im.size} vs {ref.size}")
    da, db = _dark(im), _dark(ref)
    la, lb = _bands(da), _bands(db)
    same = len(la) == len(lb) and len(la) > 0
    shift = ratios = None
    if same:
        shift = max(max(abs(_bbox(x)[0] - _bbox(y)[0]), abs(_bbox(x)[2] - _bbox(y)[2])) for x, y in zip(la, lb))
        rs = [x.sum() / y.sum() for x, y in zip(la, lb)]
        ratios = (float(min(rs)), float(max(rs)))
    small = (max(1, im.width // cell), max(1, im.height // cell))
    ga, gb = (np.asarray(x.convert("L").resize(small, Image.Resampling.BOX), dtype=np.float64) for x in (im, ref))
    return Comparison(
        identical=bool(np.array_equal(np.asarray(im.convert("RGB")), np.asarray(ref.convert("RGB")))),
        bbox_shift=max(abs(x - y) for x, y in zip(_bbox(da), _bbox(db))),
        dark_ratio=float(da.sum() / db.sum()) if db.any() else float("inf"),
        text_lines=(len(la), len(lb)),
        line_shift=shift,
        line_dark_ratio=ratios,
        mad=float(np.abs(ga - gb).mean() / 255),
    )
