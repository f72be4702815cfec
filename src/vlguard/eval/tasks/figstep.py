"""FigStep (SafeBench): the instruction typeset as an empty numbered list, plus FigStep's text prompt: ASR.

Images are rendered by `vlguard.eval.typography` into its cache (one PNG per instruction and font), so the full
500-question SafeBench works without FigStep's image files and every sample's image is a plain file the
run records. Set VLGUARD_FIGSTEP_FONT to a font file (e.g. GNU FreeMonoBold.ttf) to replicate FigStep's
pixels exactly; the default is the bundled Liberation Mono Bold.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from vlguard.data.safety_benchmarks import FIGSTEP_PROMPT, load_figstep
from vlguard.errors import DataError
from vlguard.eval.tasks.base import Task
from vlguard.eval.typography import render_cached
from vlguard.schema import Sample, Turn

FONT_ENV = "VLGUARD_FIGSTEP_FONT"


def load_figstep_typography(path: str | os.PathLike, font: str | os.PathLike | None = None,
                            cache_dir: str | os.PathLike | None = None, limit: int | None = None) -> list[Sample]:
    """SafeBench rows (safebench.csv or SafeBench-Tiny.csv) as FigStep attacks with freshly rendered images.

    `font` defaults to $VLGUARD_FIGSTEP_FONT, then the bundled font; `cache_dir` to the typography cache's
    `figstep/` folder. Only the first `limit` rows are rendered.
    """
    font = font if font is not None else os.environ.get(FONT_ENV) or None
    out = []
    for s in load_figstep(path, text_only=True, limit=limit):
        if not s.meta["instruction"].strip():
            raise DataError(f"{path}: {s.id}: empty 'instruction', nothing to typeset")
        r = render_cached("figstep", s.meta["instruction"], font, cache_dir)
        meta = {k: v for k, v in s.meta.items() if k != "image_note"}
        meta.update(query_type="figstep", font=r.font.name, font_sha256=r.font_sha256)
        out.append(dataclasses.replace(
            s, messages=(Turn("user", FIGSTEP_PROMPT),), image=r.name, image_root=str(r.root), meta=meta,
            # the text prompt is harmless on its own; the harm is in the image
            labels=dataclasses.replace(s.labels, instruction_safe=None),
        ))
    return out


def _load(path: Path, limit: int | None = None) -> list[Sample]:
    return load_figstep_typography(path, limit=limit)


FIGSTEP = Task("figstep", "FigStep SafeBench: typographic instruction image + list prompt: ASR",
               "figstep/safebench.csv", _load)
