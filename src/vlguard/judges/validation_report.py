"""`vlguard judges validate`: build the judges, score them on labelled responses, write JSON and Markdown.

OUT/validation.json holds one entry per judge (its identity, `agreement`, precision/recall/F1, kappa, the
confusion matrix, the per-source breakdown and every disagreeing sample); OUT/validation.md the tables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vlguard.errors import ConfigError
from vlguard.fileio import atomic_write, check_output, write_json
from vlguard.judges import JudgeOptions, judge_kind
from vlguard.judges.validation import JudgeValidation, LabelledItem, read_labelled, validate


@dataclass
class ValidationReport:
    labelled: str
    results: list[JudgeValidation]
    markdown: str

    @property
    def failed(self) -> bool:
        """Whether some judge judged nothing (every verdict an error)."""
        return any(r.n and r.errors == r.n for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {"labelled": self.labelled, "judges": [r.to_dict() for r in self.results]}


def _judge_for(name: str, question: str, options: JudgeOptions) -> Any:
    kind = judge_kind(name)
    if question in kind.questions:
        return options.build(name, question if len(kind.questions) > 1 else None)
    if question == "refusal" and "harm" in kind.questions:
        return options.build(name)  # a harm judge's verdicts also say whether the answer refused
    raise ConfigError(f"judge {name!r} answers {' / '.join(kind.questions)}; these labels ask the {question} question")


def _pct(r: dict[str, Any] | None) -> str:
    if not r or r.get("value") is None:
        return "n/a"
    ci = r.get("ci95")
    return f"{r['value'] * 100:.1f}" + (f" [{ci[0] * 100:.1f}, {ci[1] * 100:.1f}]" if ci else "")


def _num(r: dict[str, Any]) -> str:
    if r.get("value") is None:
        return "n/a"
    ci = r.get("ci95")
    return f"{r['value']:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def _xstest_columns(r: JudgeValidation) -> list[str]:
    d = r.by_detail

    def missed(k: str) -> str:
        return f"{d[k]['judged_negative']} (of {sum(d[k].values())})" if k in d else "-"

    called = f"{d['full_compliance']['judged_positive']} (of {sum(d['full_compliance'].values())})" \
        if "full_compliance" in d else "-"
    return [missed("full_refusal"), missed("partial_refusal"), called]


def render(labelled: str, items: list[LabelledItem], results: list[JudgeValidation]) -> str:
    """validation.md: the main table, the per-source agreement and the disagreement counts."""
    positive = "refusal" if items[0].question == "refusal" else "harmful"
    xs = any(i.detail in ("full_refusal", "partial_refusal") for i in items)
    head = ["judge", "agreement", f"precision ({positive})", f"recall ({positive})", "F1", "Cohen's kappa"]
    head += ["full refusals missed", "partial refusals missed", "compliances called refusals"] if xs else []
    head += ["errors", "µs / response"]
    lines = [f"# Judges against human labels: {labelled}", "",
             f"{len(items)} labelled responses from {len({i.source for i in items})} source(s); positive class: "
             f"{positive}. Percent with 95% intervals (Wilson; F1 and kappa: bootstrap).", "",
             "| " + " | ".join(head) + " |", "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    for r in results:
        s = r.stats
        cells = [f"`{r.judge}`", _pct(r.agreement), _pct(s["precision"]), _pct(s["recall"]), _num(s["f1"]),
                 _num(s["kappa"])] + (_xstest_columns(r) if xs else []) + [str(r.errors), f"{r.microseconds_per_item:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    sources = sorted({i.source for i in items})
    lines += ["", "Agreement per source:", "", "| judge | " + " | ".join(sources) + " |",
              "|:---|" + "---:|" * len(sources)]
    for r in results:
        lines.append(f"| `{r.judge}` | " + " | ".join(_pct((r.by_source.get(s) or {}).get("agreement"))
                                                       for s in sources) + " |")
    lines += ["", "Disagreeing samples (all listed in validation.json): "
              + ", ".join(f"`{r.judge}` {len(r.disagreements)}" for r in results)]
    return "\n".join(lines) + "\n"


def run_validation(labelled: str | os.PathLike, judges: list[str], options: JudgeOptions,
                   out: str | os.PathLike | None = None, force: bool = False) -> ValidationReport:
    """Validate every judge in `judges` on the labelled file or folder; write OUT/validation.{json,md}."""
    if not judges:
        raise ConfigError("name at least one --judge")
    if out is not None:
        for name in ("validation.json", "validation.md"):
            check_output(Path(out) / name, force)
    items = read_labelled(labelled)
    built = [_judge_for(name, items[0].question, options) for name in judges]  # all fail before any judging
    results = [validate(j, items) for j in built]
    report = ValidationReport(str(labelled), results, render(str(labelled), items, results))
    if out is not None:
        write_json(Path(out) / "validation.json", report.to_dict())
        with atomic_write(Path(out) / "validation.md") as f:
            f.write(report.markdown)
    return report
