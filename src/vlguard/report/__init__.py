"""The paper-style report from any eval runs: report.md, results.json, PNG plots and a browsable report.html.

    build_report([ReportRow("Vanilla", "runs/vanilla"), ReportRow("Mixed", "runs/mixed")], "report/")
"""

from __future__ import annotations

import os
from typing import Any, Callable

from vlguard.errors import OutputExistsError
from vlguard.fileio import atomic_write, check_output, write_json
from vlguard.report.collect import DEFAULT_COLUMNS, Column, ReportRow, Table, collect, training_shares
from vlguard.report.markdown import fmt_cell, render_markdown
from vlguard.report.plots import ASR_PLOT, SCATTER_PLOT, make_plots

__all__ = ["DEFAULT_COLUMNS", "Column", "ReportRow", "build_report", "collect", "results_dict", "training_shares"]

REPORT_MD = "report.md"
RESULTS_JSON = "results.json"
REPORT_HTML = "report.html"
OUTPUTS = (REPORT_MD, RESULTS_JSON, REPORT_HTML, ASR_PLOT, SCATTER_PLOT)


def results_dict(table: Table, title: str, checks: list[dict[str, Any]] | None, plots: list[str],
                 notes: list[str]) -> dict[str, Any]:
    """The report's numbers, machine-readable: every cell's full metric (overall and per (sub)category)."""
    return {
        "title": title,
        "judge": table.judge,
        "columns": [{"header": c.header, "task": c.task, "metric": c.metric, "lower_is_better": c.lower_is_better}
                    for c in table.columns],
        "rows": [{"name": r.name, "run_dir": r.run_dir, "model": r.model, "train_seconds": r.train_seconds,
                  "train_share": r.train_share, "train_tokens": r.train_tokens, "token_share": r.token_share,
                  "cells": {c.header: r.cells.get(c.header) for c in table.columns},
                  "formatted": {c.header: fmt_cell(r.cells.get(c.header)) for c in table.columns}}
                 for r in table.rows],
        "checks": list(checks or []),
        "plots": plots,
        "notes": notes,
    }


def _read_samples(table: Table, judge: str, max_samples: int | None) -> tuple[list[Any], dict[tuple[str, str], int]]:
    """Every row's samples for report.html, interleaved, and the generation counts per (row, task)."""
    from vlguard.report.samples import interleave, load_samples

    per_model, totals = [], {}
    for r in table.rows:
        views, counts = load_samples(r.run_dir, judge, r.name, max_samples)
        per_model.append(views)
        totals.update({(r.name, t): n for t, n in counts.items()})
    return interleave(per_model), totals


def build_report(rows: list[ReportRow], out_dir: str | os.PathLike, judge: str = "keywords",
                 title: str = "VLGuard evaluation report", checks: list[dict[str, Any]] | None = None,
                 columns: tuple[Column, ...] | list[Column] = DEFAULT_COLUMNS, max_samples: int | None = 200,
                 html: bool = True, plots: bool = True, thumb_px: int = 128, force: bool = False,
                 log: Callable[[str], None] = print) -> dict[str, Any]:
    """Read the runs and write report.md, results.json, plots and report.html into `out_dir`.

    `checks` are expected-effect checks to list in the report: dicts with `name`, `passed` (True, False or
    None) and an optional `detail`. Returns what results.json holds, plus `paths` of the files written.
    """
    table = collect(rows, judge, columns)
    out = check_output(out_dir, force=True, folder=True)  # a file there, or above it, cannot take the report
    samples = _read_samples(table, judge, max_samples) if html else None  # every input is read before any write
    existing = [n for n in OUTPUTS if (out / n).exists()]
    if existing and not force:
        raise OutputExistsError(f"{out}: already holds a report ({', '.join(existing)}); use --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    for name in (ASR_PLOT, SCATTER_PLOT):  # a plot this build skips must not linger from an older one
        (out / name).unlink(missing_ok=True)

    made, notes = make_plots(table, out) if plots else ([], [])
    for n in notes:
        log(n)
    paths = {"markdown": str(out / REPORT_MD), "results": str(out / RESULTS_JSON)}
    paths.update({name: str(out / name) for name, _ in made})
    if samples is not None:
        from vlguard.report.html import render_html

        views, totals = samples
        page = render_html(table, views, totals, title, max_samples,
                           plots=[(out / name, caption) for name, caption in made], thumb_px=thumb_px)
        with atomic_write(out / REPORT_HTML) as f:
            f.write(page)
        paths["html"] = str(out / REPORT_HTML)
    md = render_markdown(table, title, checks=checks, plots=made, notes=notes,
                         html_name=REPORT_HTML if html else None)
    with atomic_write(out / REPORT_MD) as f:
        f.write(md)
    results = results_dict(table, title, checks, [name for name, _ in made], notes)
    write_json(out / RESULTS_JSON, results)
    log(f"report: {out / REPORT_MD}" + (f", {out / REPORT_HTML}" if html else ""))
    return {**results, "paths": paths}
