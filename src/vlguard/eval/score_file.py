"""Scoring JSONL generations made elsewhere (`vlguard score`), with agreement against labels."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vlguard.errors import DataError
from vlguard.judges import JudgeOptions
from vlguard.eval.metrics import rate
from vlguard.fileio import check_output, iter_jsonl, write_jsonl

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
        if not isinstance(r["output"], str):
            raise DataError(f"{path}: line {lineno} (id {r['id']!r}): 'output' must be a string")
        records.append(r)
    verdicts = (options or JudgeOptions()).build(judge_name).judge(records)
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
    write_jsonl(Path(out), rows)
    return {"n": len(rows), "errors": sum(bool(r["error"]) for r in rows),
            "agreement": rate(agree) if agree else None}
