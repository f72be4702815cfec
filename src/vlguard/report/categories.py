"""Per-category and per-subcategory rates as Markdown tables: how far safety tuning generalises across harms.

One table per (task, metric) and group level: a row per model, a column per category (or subcategory), each
cell the rate in percent with its sample count (`12.5 (n=24)`), from the `by_category` / `by_subcategory`
entries that every metrics.json holds. The paper uses such a breakdown to show what post-hoc tuning does to
a harm category left out of its safety data.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vlguard.fileio import atomic_write
from vlguard.report.collect import ReportRow, load_run_metrics

MISSING = "–"


def _cell(rate: dict[str, Any] | None) -> str:
    if not rate or rate.get("value") is None:
        return MISSING
    return f"{rate['value'] * 100:.1f} (n={rate['n']})"


def category_table(rows: list[ReportRow], judge: str, task: str, metric: str, level: str = "subcategory") -> str:
    """A Markdown table of `metric` of `task` per `level` (category | subcategory), one row per model; empty
    when no row has such groups."""
    per_row = []
    for r in rows:
        entry = load_run_metrics(r.run_dir, judge).get(task) or {}
        per_row.append((r.name, ((entry.get("metrics") or {}).get(metric) or {}).get(f"by_{level}") or {}))
    groups = sorted({g for _, by in per_row for g in by})
    if not groups:
        return ""
    lines = ["| model | " + " | ".join(groups) + " |", "|:---|" + "---:|" * len(groups)]
    for name, by in per_row:
        cells = [name.replace("|", "\\|")] + [_cell(by.get(g)) for g in groups]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def category_section(rows: list[ReportRow], judge: str, task: str = "vlguard_unsafes",
                     metric: str = "attack_success") -> str:
    """`## <task> <metric> by category and subcategory` with both tables (empty when there are no groups)."""
    tables = [(lvl, category_table(rows, judge, task, metric, lvl)) for lvl in ("category", "subcategory")]
    tables = [(lvl, t) for lvl, t in tables if t]
    if not tables:
        return ""
    parts = [f"## `{task}` {metric} by category and subcategory", "",
             "Percent, with the number of scored samples; lower is better for attack success."]
    for lvl, t in tables:
        parts += ["", f"By {lvl}:", "", t]
    return "\n".join(parts) + "\n"


def append_category_section(report_md: str | os.PathLike, rows: list[ReportRow], judge: str,
                            task: str = "vlguard_unsafes", metric: str = "attack_success") -> None:
    """Append `category_section` to an existing report.md (atomically)."""
    section = category_section(rows, judge, task, metric)
    if not section:
        return
    path = Path(report_md)
    text = path.read_text(encoding="utf-8").rstrip() + "\n\n" + section
    with atomic_write(path) as f:
        f.write(text)


__all__ = ["append_category_section", "category_section", "category_table"]
