"""`vlguard report`: the paper-style table, plots and a browsable page from any eval runs."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from vlguard.cli import console
from vlguard.cli.options import in_range
from vlguard.errors import ConfigError


def parse_run_spec(spec: str) -> tuple[str, str]:
    """`RUN_DIR` or `RUN_DIR=ROW NAME` -> (run dir, row name; default the run dir's name).
    A run dir may itself contain `=`: the first split whose left part is an existing folder wins."""
    if Path(spec).is_dir() or "=" not in spec:
        return spec, Path(spec).name or spec
    cuts = [i for i, ch in enumerate(spec) if ch == "="]
    i = next((i for i in cuts if Path(spec[:i]).is_dir()), cuts[0])
    run, name = spec[:i], spec[i + 1:].strip()
    if not name:
        raise ConfigError(f"{spec!r}: empty row name after '='")
    return run, name


def parse_seconds(spec: str) -> tuple[str, float]:
    """`ROW=SECONDS` -> (row name, seconds)."""
    name, sep, value = spec.rpartition("=")
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not sep or not name.strip() or seconds < 0:
        raise ConfigError(f"--training-seconds {spec!r}: expected ROW=SECONDS with SECONDS a number >= 0")
    return name.strip(), seconds


def report_command(
    runs: list[str] = typer.Argument(..., help="Eval run directories, each RUN_DIR or RUN_DIR=ROW NAME."),
    out: Path = typer.Option(..., "-o", "--out", help="Folder for report.md, results.json, plots, report.html."),
    judge: str = typer.Option("keywords", "--judge", help="Whose scores to report (as in metrics.json)."),
    title: str = typer.Option("VLGuard evaluation report", "--title"),
    training_seconds: Optional[list[str]] = typer.Option(
        None, "--training-seconds", help="ROW=SECONDS: training time of a row (repeatable); adds a `train s` column."),
    share_of: Optional[str] = typer.Option(
        None, "--share-of", help="Row whose training time is 100%: adds a `% of VL tuning` column."),
    max_samples: int = typer.Option(200, "--max-samples", help="Samples per (model, task) on report.html.",
                                    callback=in_range(">= 1")),
    no_html: bool = typer.Option(False, "--no-html", help="Skip report.html."),
    force: bool = typer.Option(False, "--force", help="Overwrite a report already in OUT."),
) -> None:
    """Build the paper-style report (table with 95% intervals, plots, sample browser) from eval runs."""
    from vlguard.report import ReportRow, build_report, training_shares

    rows = [ReportRow(name, run) for run, name in map(parse_run_spec, runs)]
    by_name = {r.name: r for r in rows}
    for spec in training_seconds or []:
        name, seconds = parse_seconds(spec)
        if name not in by_name:
            raise ConfigError(f"--training-seconds {spec!r}: no row named {name!r} (rows: {', '.join(by_name)})")
        by_name[name].train_seconds = seconds
    if share_of is not None:
        training_shares(rows, share_of)
    if max_samples < 1:
        raise ConfigError("--max-samples must be at least 1")
    res = build_report(rows, out, judge=judge, title=title, max_samples=max_samples, html=not no_html,
                       force=force, log=lambda m: console.print(m, highlight=False))
    console.print(f"[green]done[/]: {', '.join(res['paths'].values())}", highlight=False)
