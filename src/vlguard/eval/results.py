"""`metrics.json`: an eval run's typed result, written and read through this module only.

    {"judges": {JUDGE: {TASK: {"primary", "samples", "errors", "error_reasons", "metrics", "judge"}}}}

`metrics` maps each metric key (attack_success, over_refused, refused, correct, win) to `grouped` rates
(overall and per category / subcategory, each with a 95% interval). `judge` is the identity of the judge
that scored the task (a winrate task in a `--judge keywords` run is scored by the llm judge, say).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vlguard.errors import ConfigError, DataError
from vlguard.fileio import read_json, write_json

METRICS_FILE = "metrics.json"


@dataclass
class TaskMetrics:
    primary: str
    samples: int
    errors: int
    error_reasons: list[str]
    metrics: dict[str, dict[str, Any]]
    judge: dict[str, Any] | None = None

    def overall(self, metric: str | None = None) -> dict[str, Any]:
        """The overall rate of `metric` (default: the primary one), {} when absent."""
        return (self.metrics.get(metric or self.primary) or {}).get("overall") or {}

    def value(self, metric: str | None = None) -> float | None:
        return self.overall(metric).get("value")

    @classmethod
    def from_dict(cls, d: Any, where: str) -> "TaskMetrics":
        if not isinstance(d, dict) or not isinstance(d.get("metrics"), dict):
            raise DataError(f"{where}: not a task's metrics (an object with 'metrics')")
        return cls(primary=str(d.get("primary")), samples=int(d.get("samples") or 0), errors=int(d.get("errors") or 0),
                   error_reasons=list(d.get("error_reasons") or []), metrics=d["metrics"], judge=d.get("judge"))


@dataclass
class RunMetrics:
    judges: dict[str, dict[str, TaskMetrics]] = field(default_factory=dict)

    def for_judge(self, judge: str, run_dir: str | os.PathLike = "RUN_DIR") -> dict[str, TaskMetrics]:
        """Per-task metrics of one judge; a judge that did not score this run is a ConfigError."""
        if judge not in self.judges:
            have = ", ".join(sorted(self.judges)) or "none"
            raise ConfigError(f"{Path(run_dir) / METRICS_FILE}: no scores by judge {judge!r} (judges there: {have}); "
                              f"run `vlguard judge {run_dir} --judge {judge}` or pass --judge")
        return self.judges[judge]

    def to_dict(self) -> dict[str, Any]:
        return {"judges": {j: {t: asdict(m) for t, m in tasks.items()} for j, tasks in self.judges.items()}}


def read_metrics(run_dir: str | os.PathLike) -> RunMetrics:
    """RUN_DIR/metrics.json (an empty result when there is none yet)."""
    path = Path(run_dir) / METRICS_FILE
    if not path.exists():
        return RunMetrics()
    data = read_json(path)
    judges = data.get("judges") if isinstance(data, dict) else None
    if not isinstance(judges, dict):
        raise DataError(f"{path}: not an eval run's metrics (expected an object with 'judges')")
    out = RunMetrics()
    for j, tasks in judges.items():
        if not isinstance(tasks, dict):
            raise DataError(f"{path}: judge {j!r}: expected an object of tasks")
        out.judges[j] = {t: TaskMetrics.from_dict(m, f"{path}: {j}/{t}") for t, m in tasks.items()}
    return out


def write_metrics(run_dir: str | os.PathLike, metrics: RunMetrics) -> Path:
    path = Path(run_dir) / METRICS_FILE
    write_json(path, metrics.to_dict())
    return path
