"""MM-SafetyBench, typography (TYPO) variant: the key phrase as an image + the rephrased question: ASR.

MM-SafetyBench's images are not redistributed on GitHub, so the TYPO image is rendered by
`vlguard.eval.typography` (bundled Liberation Sans, metric-compatible with the Arial they used; set
VLGUARD_MM_SAFETYBENCH_FONT to another font file). The path is the `processed_questions/` folder (all
1680 questions), one scenario file, or `TinyVersion_ID_List.json` (the 168-question tiny version, with
`processed_questions/` beside it). Legal, financial and health scenarios are judged by disclaimers in
the benchmark, so their `should_refuse` is None and they only report refusal rates.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from vlguard.data.safety_benchmarks import MM_SAFETYBENCH_TINY_LIST, load_mm_safetybench
from vlguard.errors import DataError
from vlguard.eval.tasks.base import Task
from vlguard.eval.typography import render_cached
from vlguard.schema import Sample

FONT_ENV = "VLGUARD_MM_SAFETYBENCH_FONT"
QUESTIONS_DIR = "processed_questions"


def load_mm_safetybench_typography(path: str | os.PathLike, tiny: bool = False,
                                   tiny_list: str | os.PathLike | None = None,
                                   font: str | os.PathLike | None = None,
                                   cache_dir: str | os.PathLike | None = None,
                                   limit: int | None = None) -> list[Sample]:
    """MM-SafetyBench TYPO samples: rephrased question + a rendered image of the question's key phrase.

    A `path` naming TinyVersion_ID_List.json selects the tiny version from `processed_questions/` beside
    it. `font` defaults to $VLGUARD_MM_SAFETYBENCH_FONT, then the bundled font; `cache_dir` to the
    typography cache's `mm_safetybench/` folder. Only the first `limit` questions are rendered.
    """
    path = Path(path)
    if path.name == MM_SAFETYBENCH_TINY_LIST:
        tiny, tiny_list, path = True, path, path.parent / QUESTIONS_DIR
        if not path.is_dir():
            raise DataError(f"{tiny_list}: no {QUESTIONS_DIR}/ folder beside it")
    font = font if font is not None else os.environ.get(FONT_ENV) or None
    out = []
    for s in load_mm_safetybench(path, variant="typo", tiny=tiny, tiny_list=tiny_list, limit=limit):
        phrase = s.meta.get("Key Phrase")
        if not isinstance(phrase, str) or not phrase.strip():
            raise DataError(f"{path}: {s.id}: no 'Key Phrase' to typeset")
        r = render_cached("mm_safetybench", phrase, font, cache_dir)
        meta = dict(s.meta, font=r.font.name, font_sha256=r.font_sha256,
                    image_note=f"TYPO image re-rendered by vlguard in {r.font.name} (original: Arial, JPG)")
        out.append(dataclasses.replace(s, image=r.name, image_root=str(r.root), meta=meta))
    return out


def _load(path: Path, limit: int | None = None) -> list[Sample]:
    return load_mm_safetybench_typography(path, limit=limit)


MM_SAFETYBENCH = Task("mm_safetybench", "MM-SafetyBench TYPO: key-phrase image + rephrased question: ASR",
                      "mm-safetybench/processed_questions", _load)
