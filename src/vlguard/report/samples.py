"""Per-sample views for browsing: a run's generations joined with one judge's scores, capped per task.

The cap keeps the same sample ids for every model (a stable hash of task and id picks them), so a
page can put the answers of all models to one prompt side by side.

A view names its image root only when the run recorded that root (its run.json, written by `vlguard
eval`; for a run without one, the roots its records name): an image elsewhere, such as an absolute path
planted in generations.jsonl, is shown by name only and never read into the page.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vlguard.errors import DataError
from vlguard.eval.records import GenerationRecord
from vlguard.eval.scorers import decision
from vlguard.fileio import read_jsonl_tolerant
from vlguard.rundir import read_manifest

GENERATIONS = "generations.jsonl"


@dataclass(frozen=True)
class SampleView:
    model: str  # the report row name
    task: str
    id: str
    prompt: str
    output: str
    reference: str | None
    category: str | None
    subcategory: str | None
    verdict: str
    tone: str  # good | bad | neutral: how the verdict reads for a safety-tuned model
    image: str | None
    image_root: str | None
    judges: str = "one judge"  # agree | disagree | one judge: how the run's judges' verdicts compare here


def verdict(score: dict[str, Any] | None) -> tuple[str, str]:
    """(verdict, tone) from one score row: attack success / refused / harmless / complied / correct /
    incorrect / win / tie / loss / error, or `unscored` when the judge has no row for the sample."""
    if score is None:
        return "unscored", "neutral"
    if score.get("error"):
        return "error", "neutral"
    if score.get("attack_success") is not None:  # a prompt that should be refused
        if score["attack_success"]:
            return "attack success", "bad"
        return ("refused", "good") if score.get("refused") else ("harmless", "good")
    if score.get("over_refused") is not None:  # a safe prompt that should be answered
        return ("refused", "bad") if score["over_refused"] else ("complied", "good")
    if score.get("correct") is not None:
        return ("correct", "good") if score["correct"] else ("incorrect", "bad")
    if score.get("win") is not None:
        w = float(score["win"])
        return ("win", "good") if w > 0.5 else (("loss", "bad") if w < 0.5 else ("tie", "neutral"))
    if score.get("refused") is not None:
        return ("refused", "neutral") if score["refused"] else ("complied", "neutral")
    return "unscored", "neutral"


def judge_agreement(run: Path) -> dict[tuple[Any, Any], str]:
    """Per (task, id): `agree` / `disagree` among every judge that scored the run, or `one judge`."""
    decisions: dict[tuple[Any, Any], set[bool]] = {}
    counts: dict[tuple[Any, Any], int] = {}
    for path in sorted((run / "scores").glob("*.jsonl")) if (run / "scores").is_dir() else []:
        for r in read_jsonl_tolerant(path):
            d = decision(r) if isinstance(r, dict) else None
            if d is not None:
                key = (r.get("task"), r.get("id"))
                decisions.setdefault(key, set()).add(d)
                counts[key] = counts.get(key, 0) + 1
    return {k: ("disagree" if len(v) > 1 else "agree" if counts[k] > 1 else "one judge")
            for k, v in decisions.items()}


def _pick_key(task: str, sid: str) -> str:
    return hashlib.sha1(f"{task}\0{sid}".encode()).hexdigest()


def _text(v: Any) -> str:
    return "" if v is None else (v if isinstance(v, str) else str(v))


def load_samples(run_dir: str | os.PathLike, judge: str, model: str, max_per_task: int | None = 200
                 ) -> tuple[list[SampleView], dict[str, int]]:
    """Samples of one run (at most `max_per_task` per task) and the total count per task."""
    run = Path(run_dir)
    gens = read_generations(run)
    scores = read_scores(run / "scores" / f"{judge}.jsonl")
    trusted = trusted_roots(run, gens.values())
    agreement = judge_agreement(run)
    by_task: dict[str, list[dict[str, Any]]] = {}
    for rec in gens.values():
        by_task.setdefault(str(rec["task"]), []).append(rec)
    totals = {t: len(rs) for t, rs in by_task.items()}
    views = []
    for task, recs in sorted(by_task.items()):
        recs.sort(key=lambda r: _pick_key(task, str(r["id"])))
        if max_per_task is not None:
            recs = recs[:max_per_task]
        for r in recs:
            labels = r.get("labels") or {}
            v, tone = verdict(scores.get((r["task"], r["id"])))
            views.append(SampleView(
                model=model, task=task, id=str(r["id"]), prompt=_text(r.get("prompt")),
                output=_text(r.get("output")) if not r.get("error") else f"[generation error] {_text(r['error'])}",
                reference=r.get("reference") if isinstance(r.get("reference"), str) else None,
                category=_opt(labels.get("category")), subcategory=_opt(labels.get("subcategory")),
                verdict=v, tone=tone, image=_opt(r.get("image")), image_root=shown_root(r, trusted),
                judges=agreement.get((r["task"], r["id"]), "one judge")))
    return views, totals


def _opt(v: Any) -> str | None:
    return None if v is None else str(v)


def read_generations(run: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """A run's generation records by (task, id), each checked as `vlguard judge` would read it."""
    path = run / GENERATIONS
    rows = read_jsonl_tolerant(path, require=("id", "task"))
    for r in rows:
        GenerationRecord.from_dict(r, str(path))  # raises DataError naming the record
    return {(r["task"], r["id"]): r for r in rows}


_SCORE_TYPES = {"attack_success": (bool,), "over_refused": (bool,), "refused": (bool,), "correct": (bool,),
                "harmful": (bool,), "win": (int, float), "error": (str,)}


def read_scores(path: Path) -> dict[tuple[Any, Any], dict[str, Any]]:
    """One judge's score rows by (task, id); a row whose verdict fields have the wrong type raises DataError."""
    rows = read_jsonl_tolerant(path, require=("id", "task"))
    for i, r in enumerate(rows):
        for key, kinds in _SCORE_TYPES.items():
            v = r.get(key)
            if v is not None and (not isinstance(v, kinds) or (bool not in kinds and isinstance(v, bool))):
                raise DataError(f"{path}: row {i + 1} ({r['task']}/{r['id']}): {key!r} must be "
                                f"{'true/false' if bool in kinds else 'a number' if str not in kinds else 'a string'}"
                                f" or null, got {type(v).__name__}")
    return {(r["task"], r["id"]): r for r in rows}


def trusted_roots(run: Path, records: Any) -> set[Path]:
    """The image roots report.html may read images from: those the run recorded in run.json, or, for a run
    without one, the roots its records name."""
    manifest = read_manifest(run)
    if manifest is not None:
        named = manifest.get("image_roots") or []
        return {Path(r).resolve() for r in named if isinstance(r, str)}
    return {Path(r["image_root"]).resolve() for r in records if isinstance(r.get("image_root"), str)}


def shown_root(rec: dict[str, Any], trusted: set[Path]) -> str | None:
    """The record's image root when report.html may read its image there, else None (shown by name only)."""
    root = rec.get("image_root")
    if not isinstance(root, str) or not isinstance(rec.get("image"), str):
        return None
    return root if Path(root).resolve() in trusted else None


def interleave(per_model: list[list[SampleView]]) -> list[SampleView]:
    """All models' samples ordered task by task, prompt by prompt, model by model (answers side by side)."""
    items = [((v.task, _pick_key(v.task, v.id), i), v) for i, views in enumerate(per_model) for v in views]
    return [v for _, v in sorted(items, key=lambda t: t[0])]
