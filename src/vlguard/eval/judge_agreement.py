"""Judge sensitivity: several judges on one run's generations, and how far they agree.

The field's known problem is that the judge alone moves ASR by tens of points on the same outputs.
`vlguard judge RUN --judge a,b,...` scores the run with each judge (no regeneration) and writes
`RUN/judge_agreement.json`: per task, each judge's primary rate, and for each pair of judges the share of
samples on which their decisions (attack success / over-refusal / refusal) agree, with a 95% interval and
the count of disagreements. report.html filters the samples on which the judges disagree.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

from vlguard.eval.metrics import fmt_rate, rate
from vlguard.eval.results import read_metrics
from vlguard.eval.scorers import decision
from vlguard.fileio import read_jsonl_tolerant, write_json

AGREEMENT_FILE = "judge_agreement.json"


def _decisions(run: Path, judge: str) -> dict[tuple[str, str], bool]:
    rows = read_jsonl_tolerant(run / "scores" / f"{judge}.jsonl")
    return {(r["task"], r["id"]): d for r in rows if isinstance(r, dict) and (d := decision(r)) is not None}


def compare_judges(run_dir: str | os.PathLike, judges: list[str]) -> dict[str, Any]:
    """Agreement between judges that already scored the run; written to RUN/judge_agreement.json."""
    run = Path(run_dir)
    metrics = read_metrics(run)
    per_judge = {j: _decisions(run, j) for j in judges}
    tasks = sorted({t for j in judges for t in metrics.for_judge(j, run)})
    out: dict[str, Any] = {"judges": judges, "tasks": {}}
    for task in tasks:
        entry: dict[str, Any] = {"primary": {}, "pairs": []}
        for j in judges:
            tm = metrics.judges[j].get(task)
            entry["primary"][j] = {"metric": tm.primary, **tm.overall()} if tm else None
        for a, b in itertools.combinations(judges, 2):
            keys = [k for k in per_judge[a] if k[0] == task and k in per_judge[b]]
            same = [per_judge[a][k] == per_judge[b][k] for k in keys]
            entry["pairs"].append({"judges": [a, b], "agreement": rate(same), "disagree": same.count(False)})
        out["tasks"][task] = entry
    write_json(run / AGREEMENT_FILE, out)
    return out


def agreement_lines(result: dict[str, Any]) -> list[str]:
    """The comparison as printable lines: each task's rate per judge, then each pair's agreement."""
    lines = []
    for task, entry in result["tasks"].items():
        rates = "  ".join(f"{j}: {fmt_rate(m) if m else 'n/a'}" for j, m in entry["primary"].items())
        lines.append(f"{task:<22} {rates}")
        for p in entry["pairs"]:
            lines.append(f"{'':<22} {p['judges'][0]} vs {p['judges'][1]}: agree on "
                         f"{fmt_rate(p['agreement'])}, {p['disagree']} disagreement(s)")
    return lines
