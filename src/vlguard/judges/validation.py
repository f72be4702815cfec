"""Judges against human labels: how far can a judge be trusted on these outputs?

`vlguard judges validate LABELLED --judge NAME ...` reads human-labelled responses and scores each judge on
them: agreement, precision / recall / F1 of the positive class (refusal, or harmful), Cohen's kappa and a
confusion matrix, overall and per source (the model that wrote the responses), each with a 95% interval,
and the samples where judge and humans disagree. This is how a user checks a judge on their own models'
outputs before trusting an ASR computed with it.

Labelled files (a file or a folder of them):
- the XSTest v2 completions CSV as released (`id, type, prompt, completion, ..., final_label` with
  `1_full_compliance`, `2_full_refusal`, `3_partial_refusal`; 2 and 3 count as refusal); the source is the
  model named in the file name (`xstest_v2_completions_<model>.csv`);
- JSONL rows `{id, prompt, output, human_label[, source]}` with `human_label` one of `refusal|compliance`
  (the refusal question) or `harmful|harmless` (the harm question); one question per file.

A judge sees only the response (and the request for judges that read it), never the label, the id or the
file's prompt type. Rates carry Wilson intervals; F1 and kappa carry a seeded bootstrap interval.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vlguard.errors import DataError
from vlguard.fileio import iter_jsonl
from vlguard.judges import Judge, Verdict

LABELS = {"refusal": ("refusal", True), "compliance": ("refusal", False),
          "harmful": ("harm", True), "harmless": ("harm", False)}
XSTEST_LABELS = {"1": "full_compliance", "2": "full_refusal", "3": "partial_refusal"}
POSITIVE = {"refusal": "refusal", "harm": "harmful"}
Z95 = 1.959963984540054
BOOTSTRAP = 1000


@dataclass(frozen=True)
class LabelledItem:
    id: str
    prompt: str
    output: str
    label: bool  # the positive class (a refusal, or a harmful answer) per the humans
    question: str  # refusal | harm
    source: str
    detail: str | None = None  # XSTest: full_refusal / partial_refusal / full_compliance


def _read_xstest_csv(path: Path) -> list[LabelledItem]:
    source = path.stem.split("_")[-1] if path.stem.startswith("xstest_v2_completions_") else path.stem
    items = []
    with open(path, encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            label = (row.get("final_label") or "").strip()[:1]
            if label not in XSTEST_LABELS or row.get("completion") is None:
                raise DataError(f"{path}: line {n}: final_label {row.get('final_label')!r} is not 1_, 2_ or 3_")
            items.append(LabelledItem(f"{source}/{row['id']}", row.get("prompt") or "", row["completion"],
                                      label != "1", "refusal", source, XSTEST_LABELS[label]))
    return items


def _read_jsonl(path: Path) -> list[LabelledItem]:
    items = []
    for n, row in iter_jsonl(path):
        label = str(row.get("human_label", "")).strip().lower()
        if label not in LABELS:
            raise DataError(f"{path}: line {n}: human_label {row.get('human_label')!r} is not one of "
                            f"{', '.join(LABELS)}")
        if not isinstance(row.get("output"), str):
            raise DataError(f"{path}: line {n}: 'output' must be a string")
        question, positive = LABELS[label]
        items.append(LabelledItem(str(row.get("id", f"line{n}")), str(row.get("prompt") or ""), row["output"],
                                  positive, question, str(row.get("source") or path.stem), label))
    return items


def read_labelled(path: str | os.PathLike) -> list[LabelledItem]:
    """Every labelled item of a file or of the .csv/.jsonl files in a folder; one question in all."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file or folder")
    files = sorted(f for f in p.iterdir() if f.suffix in (".csv", ".jsonl")) if p.is_dir() else [p]
    if not files:
        raise DataError(f"{p}: no .csv or .jsonl files of labelled responses")
    items: list[LabelledItem] = []
    for f in files:
        items += _read_xstest_csv(f) if f.suffix == ".csv" else _read_jsonl(f)
    if not items:
        raise DataError(f"{p}: no labelled responses")
    questions = {i.question for i in items}
    if len(questions) > 1:
        raise DataError(f"{p}: mixes refusal and harm labels; validate one question at a time")
    return items


def wilson(k: float, n: int) -> dict[str, Any]:
    """A proportion with its Wilson 95% interval (None when n = 0)."""
    if n == 0:
        return {"value": None, "ci95": [0.0, 1.0], "k": k, "n": 0}
    p = k / n
    d = 1 + Z95 ** 2 / n
    c = (p + Z95 ** 2 / (2 * n)) / d
    h = Z95 * ((p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) ** 0.5) / d
    return {"value": p, "ci95": [round(max(0.0, c - h), 6), round(min(1.0, c + h), 6)], "k": k, "n": n}


def _confusion(pairs: list[tuple[bool, bool]]) -> dict[str, int]:
    return {"tp": sum(p and t for p, t in pairs), "fp": sum(p and not t for p, t in pairs),
            "fn": sum(t and not p for p, t in pairs), "tn": sum(not p and not t for p, t in pairs)}


def _f1(c: dict[str, int]) -> float | None:
    return 2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"]) if c["tp"] + c["fp"] + c["fn"] else None


def _kappa(c: dict[str, int]) -> float | None:
    n = sum(c.values())
    if n == 0:
        return None
    po = (c["tp"] + c["tn"]) / n
    pe = ((c["tp"] + c["fp"]) * (c["tp"] + c["fn"]) + (c["fn"] + c["tn"]) * (c["fp"] + c["tn"])) / (n * n)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def _bootstrap(c: dict[str, int], stat: Any, seed: int = 0) -> list[float] | None:
    """Percentile 95% interval of `stat(confusion)` over seeded resamples of the judged pairs.

    A resample of pairs only changes the four cell counts, so it is drawn as a multinomial over them."""
    import numpy as np

    n = sum(c.values())
    if n == 0:
        return None
    keys = ("tp", "fp", "fn", "tn")
    draws = np.random.default_rng(seed).multinomial(n, [c[k] / n for k in keys], size=BOOTSTRAP)
    vals = sorted(v for v in (stat(dict(zip(keys, map(int, row)))) for row in draws) if v is not None)
    if not vals:
        return None
    return [round(vals[int(0.025 * (len(vals) - 1))], 6), round(vals[int(0.975 * (len(vals) - 1))], 6)]


def agreement_stats(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    """(judge, human) pairs -> agreement, precision, recall, F1, kappa (with 95% intervals) and the matrix."""
    c = _confusion(pairs)
    return {"agreement": wilson(c["tp"] + c["tn"], len(pairs)), "precision": wilson(c["tp"], c["tp"] + c["fp"]),
            "recall": wilson(c["tp"], c["tp"] + c["fn"]),
            "f1": {"value": _f1(c), "ci95": _bootstrap(c, _f1)},
            "kappa": {"value": _kappa(c), "ci95": _bootstrap(c, _kappa)}, "confusion": c}


@dataclass
class JudgeValidation:
    judge: str
    identity: dict[str, Any]
    question: str
    n: int
    errors: int
    agreement: dict[str, Any]
    stats: dict[str, Any]
    by_source: dict[str, dict[str, Any]]
    by_detail: dict[str, dict[str, int]]  # human label detail -> judged positive / negative counts
    microseconds_per_item: float
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _positive(v: Verdict, question: str) -> bool | None:
    return v.harmful if question == "harm" else v.refused


def validate(judge: Judge, items: list[LabelledItem]) -> JudgeValidation:
    """Score one judge on labelled items (see the module docstring)."""
    question = items[0].question if items else "refusal"
    t0 = time.perf_counter()
    verdicts = judge.judge([{"id": i.id, "prompt": i.prompt, "output": i.output} for i in items])
    us = (time.perf_counter() - t0) / max(len(items), 1) * 1e6
    judged = [(i, _positive(v, question), v) for i, v in zip(items, verdicts)]
    ok = [(i, p) for i, p, v in judged if p is not None and not v.error]
    stats = agreement_stats([(p, i.label) for i, p in ok])
    sources = sorted({i.source for i, _ in ok})
    by_source = {s: agreement_stats([(p, i.label) for i, p in ok if i.source == s]) for s in sources}
    by_detail: dict[str, dict[str, int]] = {}
    for i, p in ok:
        d = by_detail.setdefault(i.detail or ("positive" if i.label else "negative"), {"judged_positive": 0,
                                                                                       "judged_negative": 0})
        d["judged_positive" if p else "judged_negative"] += 1
    disagree = [{"id": i.id, "source": i.source, "human": i.detail, "judge": POSITIVE[question] if p else "no",
                 "prompt": i.prompt, "output": i.output, "detail": v.detail}
                for i, p, v in judged if p is not None and not v.error and p != i.label]
    return JudgeValidation(judge.name, dict(judge.identity), question, len(items), len(items) - len(ok),
                           stats["agreement"], stats, by_source, by_detail, round(us, 2), disagree)
