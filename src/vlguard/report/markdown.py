"""The paper-style table and report.md: percentages with Wilson 95% intervals, a dash for what a run lacks."""

from __future__ import annotations

import re
from typing import Any

from vlguard.judges.cards import card_line
from vlguard.report.collect import Table, overall

MISSING = "–"


def fmt_cell(cell: dict[str, Any] | None) -> str:
    """`12.3 [9.1, 16.0]` (percent) for a metric dict or a bare rate; `–` when there is nothing to show."""
    rate = cell.get("overall", cell) if cell else None
    if not rate or rate.get("value") is None:
        return MISSING
    lo, hi = rate["ci95"]
    return f"{rate['value'] * 100:.1f} [{lo * 100:.1f}, {hi * 100:.1f}]"


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return MISSING
    return f"{s:.1f}" if s < 10 else f"{s:,.0f}"


def fmt_share(share: float | None) -> str:
    return MISSING if share is None else f"{share * 100:.1f}%"


def fmt_tokens(n: int | None) -> str:
    return MISSING if n is None else f"{n:,}"


def table_cells(table: Table) -> tuple[list[str], list[list[str]]]:
    """Header and body of the summary table as strings (shared by report.md and report.html)."""
    header = ["model"] + [c.header for c in table.columns]
    if table.has_train_tokens:
        header.append("train tokens")
    if table.has_token_share:
        header.append("tokens % of VL tuning")
    if table.has_train_seconds:
        header.append("train s")
    if table.has_train_share:
        header.append("% of VL tuning")
    body = []
    for row in table.rows:
        cells = [row.name] + [fmt_cell(row.cells.get(c.header)) for c in table.columns]
        if table.has_train_tokens:
            cells.append(fmt_tokens(row.train_tokens))
        if table.has_token_share:
            cells.append(fmt_share(row.token_share))
        if table.has_train_seconds:
            cells.append(fmt_seconds(row.train_seconds))
        if table.has_train_share:
            cells.append(fmt_share(row.train_share))
        body.append(cells)
    return header, body


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_MD_SPECIAL = re.compile(r"([\\`|<\[\]])")


def _md_escape(text: str) -> str:
    """Text from a user or a run (a row name, a title, a reason) as literal Markdown: a pipe, a newline or a
    control character cannot break the table or start a line of its own, and no HTML tag, link, image or
    code span can be injected."""
    return _MD_SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", str(text)))


def _cell(text: str) -> str:
    # the table's own text (headers, numbers with their [lo, hi] intervals): only what would break a row
    return _CONTROL.sub(" ", text).replace("\\", "\\\\").replace("|", "\\|")


def _code(text: Any) -> str:
    """`text` as an inline code span on one line, whatever backticks it holds."""
    body = _CONTROL.sub(" ", str(text))
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", body)), default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or ticks != "`" else ""
    return f"{ticks}{pad}{body}{pad}{ticks}"


def markdown_table(table: Table) -> str:
    """A GitHub-flavoured Markdown table, numbers right-aligned."""
    header, body = table_cells(table)
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join([_md_escape(cells[0])] + [_cell(c) for c in cells[1:]]) + " |" for cells in body]
    return "\n".join(lines)


def source_notes(table: Table) -> list[str]:
    """One line per column: which task and metric it reads, which way is better, the sample counts."""
    notes = []
    for c in table.columns:
        ns = [r["n"] for r in (overall(row.cells.get(c.header)) for row in table.rows) if r]
        n = "no scored samples" if not ns else (f"n = {ns[0]}" if min(ns) == max(ns) else f"n = {min(ns)}–{max(ns)}")
        better = "lower is better" if c.lower_is_better else "higher is better"
        notes.append(f"**{c.header}**: task `{c.task}`, metric `{c.metric}` ({better}; {n} per model)")
    return notes


def judge_notes(table: Table) -> list[str]:
    """One line per judge that scored the table's columns: what it answers and how it was validated."""
    cards: dict[str, dict[str, Any]] = {}
    for row in table.rows:
        for c in table.columns:
            card = (row.tasks.get(c.task) or {}).get("judge")
            if isinstance(card, dict) and card.get("judge") and card.get("definition"):
                cards.setdefault(card["judge"] + str(card.get("identity")), _inert(card))
    return [card_line(c) for c in cards.values()]


def _inert(value: Any) -> Any:
    # a card comes from a run's metrics.json: keep its text from opening code spans, links, tags or lines
    if isinstance(value, str):
        return re.sub(r"[`<>\[\]|\\]", "", _CONTROL.sub(" ", value))
    if isinstance(value, dict):
        return {k: _inert(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_inert(v) for v in value]
    return value


def error_notes(table: Table) -> list[str]:
    """Rows whose tasks had samples excluded as errors (generation or judge failures)."""
    notes = []
    used = {c.task for c in table.columns}
    for row in table.rows:
        for task in sorted(used):
            entry = row.tasks.get(task)
            if entry and entry.get("errors"):
                reasons = ", ".join(map(str, entry.get("error_reasons") or [])) or "unknown"
                notes.append(f"{_md_escape(row.name)}: {_code(task)} had {entry['errors']} of {entry['samples']} "
                             f"samples excluded as errors ({_md_escape(reasons)})")
    return notes


def check_lines(checks: list[dict[str, Any]]) -> list[str]:
    """Expected-effect checks as list items: `name`, `passed` (True/False/None) and an optional `detail`."""
    mark = {True: "PASS", False: "FAIL", None: "n/a"}
    out = []
    for c in checks:
        status = mark.get(c.get("passed"), "n/a")
        detail = f": {c['detail']}" if c.get("detail") else ""
        out.append(f"- **{status}** {_md_escape(str(c.get('name', 'check')))}{_md_escape(str(detail))}")
    return out


def render_markdown(table: Table, title: str, checks: list[dict[str, Any]] | None = None,
                    plots: list[tuple[str, str]] | None = None, notes: list[str] | None = None,
                    html_name: str | None = None) -> str:
    """The whole report.md. `plots` are (file name, caption) pairs; `notes` extra lines (skipped plots...)."""
    parts = [f"# {_md_escape(title)}", "",
             f"Rates in percent with Wilson 95% confidence intervals, judge {_code(table.judge)}; "
             f"`{MISSING}` = the run has no such task.", "", markdown_table(table), ""]
    judged = judge_notes(table)
    parts += [f"{n}  " for n in judged] + ([""] if judged else [])
    parts += ["## Where the numbers come from", ""]
    parts += [f"- {n}" for n in source_notes(table)]
    parts += [f"- **{_md_escape(r.name)}**: run {_code(r.run_dir)}" + (f", model {_code(r.model)}" if r.model else "")
              for r in table.rows]
    if table.has_token_share:
        parts.append("- **train tokens**, **tokens % of VL tuning**: tokens processed in training (the attention-mask "
                     "sum: a cost that does not move with the machine's load), and as a share of the vanilla VL "
                     "instruction tuning's")
    if table.has_train_share:
        parts.append("- **% of VL tuning**: training time as a share of the vanilla VL instruction tuning's")
    errs = error_notes(table)
    if errs:
        parts += ["", "Errors are excluded from rates:", ""] + [f"- {e}" for e in errs]
    if checks:
        passed = sum(c.get("passed") is True for c in checks)
        parts += ["", "## Expected effects", "", f"{passed} of {len(checks)} checks pass.", ""] + check_lines(checks)
    if plots or notes:
        parts += ["", "## Plots", ""]
        for name, caption in plots or []:
            parts += [f"![{caption}]({name})", ""]
        parts += [f"- {n}" for n in notes or []]
    if html_name:
        parts += ["", f"Browse the samples: [{html_name}]({html_name})"]
    return "\n".join(parts).rstrip() + "\n"
