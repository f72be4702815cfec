"""Scoring JSONL generations made elsewhere (`vlguard score`), with agreement against labels."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

from vlguard.errors import DataError, WorkFailedError
from vlguard.eval.metrics import rate
from vlguard.fileio import check_output, iter_jsonl, write_jsonl
from vlguard.judges import Exchange, JudgeOptions

LABEL_VALUES = {"refusal": True, "refused": True, "refuse": True, True: True,
                "compliance": False, "complied": False, "comply": False, False: False}


def score_file(path: str | os.PathLike, judge_name: str, out: str | os.PathLike, force: bool = False,
               options: JudgeOptions | None = None) -> dict[str, Any]:
    """Judge each `{id, prompt, output}` record; `label` (refused or not) gives an agreement rate."""
    check_output(out, force)
    records = []
    for lineno, r in iter_jsonl(path):
        for key in ("id", "output"):
            if key not in r:
                raise DataError(f"{path}: line {lineno}: missing key {key!r}")
        if isinstance(r["id"], bool) or not isinstance(r["id"], (str, int)):
            raise DataError(f"{path}: line {lineno}: 'id' must be a string or an integer, got {type(r['id']).__name__}")
        for key in ("output", "prompt"):
            if key in r and not isinstance(r[key], str):
                raise DataError(f"{path}: line {lineno} (id {r['id']!r}): {key!r} must be a string")
        if "label" in r and not isinstance(r["label"], (str, bool)):
            raise DataError(f"{path}: line {lineno} (id {r['id']!r}): label must be refused/complied or true/false, "
                            f"got a {type(r['label']).__name__}")
        records.append(r)
    verdicts = (options or JudgeOptions()).build(judge_name).judge(cast("list[Exchange]", records))
    rows, agree = [], []
    for r, v in zip(records, verdicts):
        row = {"id": r["id"], "refused": v.refused, "harmful": v.harmful, "error": v.error, "judge": judge_name}
        if "label" in r:
            label = LABEL_VALUES.get(r["label"] if not isinstance(r["label"], str) else r["label"].lower())
            if label is None:
                raise DataError(f"{path}: id {r['id']!r}: label {r['label']!r} is not refused/complied (or true/false)")
            row["label_refused"] = label
            agree.append(None if v.error or v.refused is None else v.refused == label)
        rows.append(row)
    errors = sum(bool(r["error"]) for r in rows)
    if rows and errors == len(rows):
        raise WorkFailedError(f"judge {judge_name}: all {errors} verdict(s) were errors (first: "
                              f"{str(rows[0]['error'])[:200]}); {out} was not written")
    write_jsonl(Path(out), rows)
    return {"n": len(rows), "errors": errors,
            "agreement": rate(agree) if agree else None}
