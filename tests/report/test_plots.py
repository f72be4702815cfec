"""The report's PNG plots, and what happens without the data or without matplotlib."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("matplotlib")

from PIL import Image  # noqa: E402

from vlguard.report import ReportRow, build_report  # noqa: E402
from vlguard.report.collect import collect  # noqa: E402
from vlguard.report.plots import (  # noqa: E402
    ASR_PLOT,
    SCATTER_PLOT,
    make_plots,
    plot_asr_by_subcategory,
    plot_safety_vs_helpfulness,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _rows(runs):
    return [ReportRow(name, path) for name, path in runs.items()]


def _assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    with Image.open(path) as im:
        w, h = im.size
        colors = im.convert("RGB").getcolors(maxcolors=1_000_000)
    assert w >= 300 and h >= 200
    assert colors is None or len(colors) > 20  # something was drawn, not a blank canvas


def test_both_plots_from_crafted_runs(model_runs, tmp_path):
    made, notes = make_plots(collect(_rows(model_runs)), tmp_path)
    assert [name for name, _ in made] == [ASR_PLOT, SCATTER_PLOT] and notes == []
    _assert_png(tmp_path / ASR_PLOT)
    _assert_png(tmp_path / SCATTER_PLOT)


def test_bars_reflect_the_rates(model_runs, tmp_path):
    # Row i is drawn in tab10 colour i; the second row's colour is orange (255, 127, 14). Vanilla's attack
    # success bars (90%) cover far more orange pixels than the safety-tuned model's (7%).
    def second_row_pixels(rows, name):
        assert plot_asr_by_subcategory(collect(rows), tmp_path / name)
        with Image.open(tmp_path / name) as im:
            return sum(1 for p in im.convert("RGB").getdata()
                       if abs(p[0] - 255) < 8 and abs(p[1] - 127) < 8 and p[2] < 30)

    mixed_second = second_row_pixels([ReportRow("V", model_runs["Vanilla"]), ReportRow("M", model_runs["Mixed"])],
                                     "a.png")
    vanilla_second = second_row_pixels([ReportRow("M", model_runs["Mixed"]), ReportRow("V", model_runs["Vanilla"])],
                                       "b.png")
    assert vanilla_second > 3 * mixed_second > 0


def test_plots_are_skipped_without_their_data(model_runs, tmp_path):
    table = collect([ReportRow("LLM", model_runs["LLM"])])
    assert not plot_asr_by_subcategory(table, tmp_path / ASR_PLOT)
    assert not plot_safety_vs_helpfulness(table, tmp_path / SCATTER_PLOT)
    made, notes = make_plots(table, tmp_path)
    assert made == [] and len(notes) == 2
    assert not list(tmp_path.glob("*.png"))


def test_without_matplotlib_the_report_says_plots_were_skipped(model_runs, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    res = build_report(_rows(model_runs), tmp_path / "out", html=False, log=lambda m: None)
    assert res["plots"] == []
    assert not list((tmp_path / "out").glob("*.png"))
    assert "plots skipped: matplotlib is not installed" in (tmp_path / "out" / "report.md").read_text()
