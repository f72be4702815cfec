"""Reading eval runs into report rows: one row per model, one cell (a rate with its 95% interval) per column.

A column is a header and a list of candidate (task, metric) pairs, so the same spec serves SynthGuard smoke
runs (synth_harmful, synth_xstest, ...) and real benchmark runs (advbench, xstest, mmlu, winrate, ...). A
task evaluated under an attack (`advbench@suffix`, see `vlguard.eval.attacks`) is a column of its own, beside
the task's (`text harmful ASR, suffix`), as the paper's AdvBench "vanilla / suffix" columns.
Each column is resolved once, to its first candidate that any row has, and every row reads that same
source: a column never mixes two benchmarks, and a row without that task shows a dash.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vlguard.errors import ConfigError
from vlguard.eval.results import METRICS_FILE, read_metrics


@dataclass
class ReportRow:
    """One model in the report: a name shown in the table and the eval run it reads."""

    name: str
    run_dir: str | os.PathLike
    train_seconds: float | None = None
    train_share: float | None = None  # fraction of the vanilla VL instruction tuning's time (0.05 = 5%)
    train_tokens: int | None = None  # tokens processed in training: a cost that does not move with the load
    token_share: float | None = None  # fraction of the vanilla VL instruction tuning's tokens


@dataclass(frozen=True)
class Column:
    header: str
    sources: tuple[tuple[str, str], ...]  # (task, metric) candidates, first present wins
    lower_is_better: bool = True


DEFAULT_COLUMNS: tuple[Column, ...] = (
    Column("safe_unsafes ASR", (("vlguard_safe_unsafes", "attack_success"),)),
    Column("unsafes ASR", (("vlguard_unsafes", "attack_success"),)),
    Column("text harmful ASR", (("advbench", "attack_success"), ("synth_harmful", "attack_success"))),
    Column("FigStep ASR", (("figstep", "attack_success"),)),
    Column("MM-SafetyBench ASR", (("mm_safetybench", "attack_success"),)),
    Column("XSTest over-refusal", (("xstest", "over_refused"), ("synth_xstest", "over_refused"))),
    Column("safe_safes over-refusal", (("vlguard_safe_safes", "over_refused"),)),
    Column("VQA helpfulness", (("vlguard_winrate", "win"), ("synth_helpful", "correct")), lower_is_better=False),
    Column("text helpfulness", (("mmlu", "correct"), ("synth_text_helpful", "correct")), lower_is_better=False),
)


@dataclass(frozen=True)
class ResolvedColumn:
    header: str
    task: str
    metric: str
    lower_is_better: bool


@dataclass
class CollectedRow:
    name: str
    run_dir: str
    model: str | None  # what config.yaml says was evaluated
    train_seconds: float | None
    train_share: float | None
    tasks: dict[str, Any]  # task -> its metrics.json entry for the chosen judge
    cells: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # header -> metric dict or None
    train_tokens: int | None = None
    token_share: float | None = None


@dataclass
class Table:
    judge: str
    columns: list[ResolvedColumn]
    rows: list[CollectedRow]

    @property
    def has_train_seconds(self) -> bool:
        return any(r.train_seconds is not None for r in self.rows)

    @property
    def has_train_share(self) -> bool:
        return any(r.train_share is not None for r in self.rows)

    @property
    def has_train_tokens(self) -> bool:
        return any(r.train_tokens is not None for r in self.rows)

    @property
    def has_token_share(self) -> bool:
        return any(r.token_share is not None for r in self.rows)


def load_run_metrics(run_dir: str | os.PathLike, judge: str) -> dict[str, Any]:
    """The per-task metrics of one judge from RUN_DIR/metrics.json, as plain dicts (see vlguard.eval.results)."""
    run = Path(run_dir)
    path = run / METRICS_FILE
    if not run.is_dir():
        raise ConfigError(f"{run}: no such eval run directory")
    if not path.is_file():
        raise ConfigError(f"{run}: not an eval run (no metrics.json); run `vlguard eval` or `vlguard judge` first")
    return {t: asdict(m) for t, m in read_metrics(run).for_judge(judge, run).items()}


def _run_model(run_dir: Path) -> str | None:
    cfg = run_dir / "config.yaml"
    if not cfg.is_file():
        return None
    import yaml

    try:
        data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return str(data.get("model")) if isinstance(data, dict) and data.get("model") is not None else None


def attacks_present(present: set[tuple[str, str]]) -> list[str]:
    """The attacks of the attacked tasks (`TASK@ATTACK`) among `present`, vlguard's own in their order first."""
    from vlguard.eval.attacks import ATTACKS, SEPARATOR

    found = {t.partition(SEPARATOR)[2] for t, _ in present if SEPARATOR in t}
    return [a for a in ATTACKS if a in found] + sorted(found - set(ATTACKS))


def resolve_columns(columns: tuple[Column, ...] | list[Column], task_sets: list[set[tuple[str, str]]]
                    ) -> list[ResolvedColumn]:
    """Each column's first (task, metric) that any row has; columns no row has are dropped. A column's task
    under an attack (`advbench@suffix`) gets a column of its own beside it, headed `<header>, <attack>`."""
    present = set().union(*task_sets) if task_sets else set()
    attacks = attacks_present(present)
    out = []
    for col in columns:
        src = next((s for s in col.sources if s in present), None)
        if src is not None:
            out.append(ResolvedColumn(col.header, src[0], src[1], col.lower_is_better))
        for attack in attacks:
            hit = next(((f"{t}@{attack}", m) for t, m in col.sources if (f"{t}@{attack}", m) in present), None)
            if hit is not None:
                out.append(ResolvedColumn(f"{col.header}, {attack}", hit[0], hit[1], col.lower_is_better))
    return out


def collect(rows: list[ReportRow], judge: str = "keywords",
            columns: tuple[Column, ...] | list[Column] = DEFAULT_COLUMNS) -> Table:
    """Read every row's run and fill the table; a task a row lacks leaves its cell None."""
    if not rows:
        raise ConfigError("no runs given to report on")
    names = [r.name for r in rows]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"duplicate row names: {', '.join(dupes)} (name rows with RUN_DIR=NAME)")
    collected = []
    for r in rows:
        tasks = load_run_metrics(r.run_dir, judge)
        collected.append(CollectedRow(r.name, str(r.run_dir), _run_model(Path(r.run_dir)), r.train_seconds,
                                      r.train_share, tasks, train_tokens=r.train_tokens, token_share=r.token_share))
    task_sets = [{(t, m) for t, entry in row.tasks.items() for m in (entry.get("metrics") or {})}
                 for row in collected]
    resolved = resolve_columns(columns, task_sets)
    for row in collected:
        for col in resolved:
            m = ((row.tasks.get(col.task) or {}).get("metrics") or {}).get(col.metric)
            row.cells[col.header] = m
    return Table(judge, resolved, collected)


def overall(cell: dict[str, Any] | None) -> dict[str, Any] | None:
    """A cell's overall rate, or None when the cell is missing or has no scored samples."""
    if not cell:
        return None
    o = cell.get("overall")
    return o if o and o.get("value") is not None else None


def training_shares(rows: list[ReportRow], reference: str) -> None:
    """Fill each row's train_share as its train_seconds over those of the row named `reference`."""
    ref = next((r for r in rows if r.name == reference), None)
    if ref is None:
        raise ConfigError(f"--share-of {reference!r}: no row has that name (rows: {', '.join(r.name for r in rows)})")
    if not ref.train_seconds:
        raise ConfigError(f"--share-of {reference!r}: that row has no --training-seconds")
    for r in rows:
        if r.train_seconds is not None:
            r.train_share = r.train_seconds / ref.train_seconds
