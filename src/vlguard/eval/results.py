"""`metrics.json`: an eval run's typed result, written and read through this module only.

    {"judges": {JUDGE: {TASK: {"primary", "samples", "errors", "error_reasons", "metrics", "judge"}}}}

`metrics` maps each metric key (attack_success, over_refused, refused, correct, win) to `grouped` rates
(overall and per category / subcategory, each with a 95% interval). `judge` is the card of the judge that
scored the task (`vlguard.judges.cards`: its name, question, identity and version, and its agreement with
human labels where validated); a winrate task in a `--judge keywords` run is scored by the llm judge, say.
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
        counts = {k: d.get(k) or 0 for k in ("samples", "errors")}
        bad = [k for k, v in counts.items() if isinstance(v, bool) or not isinstance(v, int) or v < 0]
        if bad:
            raise DataError(f"{where}: {bad[0]!r} must be a count (an integer >= 0), got {d.get(bad[0])!r}")
        if not isinstance(d.get("error_reasons") or [], list) or not all(isinstance(m, dict) for m in d["metrics"].values()):
            raise DataError(f"{where}: 'error_reasons' must be a list and each metric an object")
        if d.get("judge") is not None and not isinstance(d["judge"], dict):
            raise DataError(f"{where}: 'judge' must be an object")
        return cls(primary=str(d.get("primary")), samples=counts["samples"], errors=counts["errors"],
                   error_reasons=[str(r) for r in d.get("error_reasons") or []], metrics=d["metrics"],
                   judge=d.get("judge"))


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


def all_failed(entries: dict[str, Any]) -> str | None:
    """When every sample of every task in `entries` (task -> TaskMetrics or its dict) is an error, a line
    saying so with the count and the reasons; else None (also when there are no samples)."""
    def get(m: Any, key: str) -> Any:
        return m.get(key) if isinstance(m, dict) else getattr(m, key)

    samples = sum(int(get(m, "samples") or 0) for m in entries.values())
    errors = sum(int(get(m, "errors") or 0) for m in entries.values())
    if not samples or errors < samples:
        return None
    reasons = sorted({str(r) for m in entries.values() for r in get(m, "error_reasons") or []})
    return f"all {samples} sample(s) failed ({', '.join(reasons) or 'errors'})"


def write_metrics(run_dir: str | os.PathLike, metrics: RunMetrics) -> Path:
    path = Path(run_dir) / METRICS_FILE
    write_json(path, metrics.to_dict())
    return path
