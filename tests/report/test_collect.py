"""Reading eval runs into report rows: column resolution, missing tasks, judges, training shares."""

from __future__ import annotations

import json

import pytest

from vlguard.errors import ConfigError, DataError
from vlguard.eval.metrics import wilson_interval
from vlguard.report.collect import DEFAULT_COLUMNS, Column, ReportRow, collect, overall, training_shares


def _rows(runs):
    return [ReportRow(name, path) for name, path in runs.items()]


def test_cells_hold_the_runs_rates_and_none_for_missing_tasks(model_runs):
    table = collect(_rows(model_runs))
    assert [r.name for r in table.rows] == ["LLM", "Vanilla", "Mixed"]
    by = {r.name: r for r in table.rows}
    v = overall(by["Vanilla"].cells["unsafes ASR"])
    assert (v["k"], v["n"]) == (27, 30)  # 3 of 30 refused
    assert v["ci95"] == pytest.approx(wilson_interval(27, 30), abs=1e-6)
    assert overall(by["Mixed"].cells["unsafes ASR"])["k"] == 2
    assert by["LLM"].cells["unsafes ASR"] is None  # a text-only run has no image tasks
    assert overall(by["LLM"].cells["text harmful ASR"])["k"] == 5
    assert by["Vanilla"].model == "m"


def test_columns_no_run_has_are_dropped_and_each_column_names_its_source(model_runs):
    table = collect(_rows(model_runs))
    cols = {c.header: (c.task, c.metric) for c in table.columns}
    assert cols["text harmful ASR"] == ("synth_harmful", "attack_success")
    assert cols["XSTest over-refusal"] == ("synth_xstest", "over_refused")
    assert cols["VQA helpfulness"] == ("synth_helpful", "correct")
    assert "text helpfulness" not in cols and "FigStep ASR" not in cols  # no run evaluated those


def test_a_column_reads_one_benchmark_the_first_candidate_any_row_has(tmp_path, write_run):
    synth = write_run(tmp_path / "synth", [{"task": "synth_harmful", "id": f"s{i}", "refused": i < 1}
                                           for i in range(4)])
    real = write_run(tmp_path / "real", [{"task": "advbench", "id": f"a{i}", "refused": i < 3} for i in range(4)]
                     + [{"task": "mmlu", "id": "q1", "reference": "B", "output": "B"}])
    table = collect([ReportRow("synth", synth), ReportRow("real", real)])
    cols = {c.header: c for c in table.columns}
    assert cols["text harmful ASR"].task == "advbench"
    assert cols["text helpfulness"].task == "mmlu"
    by = {r.name: r for r in table.rows}
    assert by["synth"].cells["text harmful ASR"] is None  # never mixed with synth_harmful in one column
    assert overall(by["real"].cells["text harmful ASR"])["value"] == pytest.approx(0.25)
    assert overall(by["real"].cells["text helpfulness"])["value"] == 1.0


def test_custom_columns(model_runs):
    cols = [Column("over-refusal", (("nope", "x"), ("synth_xstest", "over_refused"))),
            Column("refused", (("vlguard_unsafes", "refused"),), lower_is_better=False)]
    table = collect(_rows(model_runs), columns=cols)
    assert [c.header for c in table.columns] == ["over-refusal", "refused"]
    assert overall(table.rows[1].cells["refused"])["k"] == 3


def test_another_judge_and_a_missing_judge(tmp_path, write_run):
    run = write_run(tmp_path / "r", [{"task": "vlguard_unsafes", "id": "1", "refused": True}], judge="llm")
    assert overall(collect([ReportRow("r", run)], judge="llm").rows[0].cells["unsafes ASR"])["value"] == 0.0
    with pytest.raises(ConfigError, match=r"no scores by judge 'keywords'.*judges there: llm"):
        collect([ReportRow("r", run)])


def test_not_a_run_and_no_runs(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="no metrics.json"):
        collect([ReportRow("x", tmp_path / "empty")])
    with pytest.raises(ConfigError, match="no such eval run"):
        collect([ReportRow("x", tmp_path / "absent")])
    with pytest.raises(ConfigError, match="no runs"):
        collect([])


def test_malformed_metrics_names_the_file(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "metrics.json").write_text("{oops")
    with pytest.raises(DataError, match="metrics.json: malformed JSON"):
        collect([ReportRow("x", tmp_path / "bad")])


def test_duplicate_row_names_are_refused(model_runs):
    with pytest.raises(ConfigError, match="duplicate row names: a"):
        collect([ReportRow("a", model_runs["LLM"]), ReportRow("a", model_runs["Mixed"])])


def test_a_task_with_only_errors_has_no_rate(tmp_path, write_run):
    run = write_run(tmp_path / "r", [{"task": "vlguard_unsafes", "id": "1", "error": "timeout"}])
    cell = collect([ReportRow("r", run)]).rows[0].cells["unsafes ASR"]
    assert cell is not None and overall(cell) is None
    assert json.loads((run / "metrics.json").read_text())["judges"]["keywords"]["vlguard_unsafes"]["errors"] == 1


def test_training_shares_are_relative_to_the_named_row():
    rows = [ReportRow("Vanilla", "a", train_seconds=1000.0), ReportRow("LoRA", "b", train_seconds=50.0),
            ReportRow("LLM", "c")]
    training_shares(rows, "Vanilla")
    assert [r.train_share for r in rows] == [1.0, 0.05, None]
    with pytest.raises(ConfigError, match="no row has that name"):
        training_shares(rows, "Nope")
    with pytest.raises(ConfigError, match="no --training-seconds"):
        training_shares(rows, "LLM")


def test_default_columns_cover_the_real_benchmarks():
    tasks = {t for c in DEFAULT_COLUMNS for t, _ in c.sources}
    from vlguard.eval.tasks import TASKS

    assert tasks <= set(TASKS)  # a renamed task would silently drop its column
    assert {"advbench", "xstest", "mmlu", "vlguard_winrate", "figstep", "mm_safetybench"} <= tasks


def test_an_attacked_task_is_a_column_of_its_own_beside_its_task(tmp_path, write_run):
    from vlguard.report.markdown import table_cells

    from .conftest import _unsafes

    a = write_run(tmp_path / "a", _unsafes("advbench", 4, 4) + _unsafes("advbench@suffix", 4, 1)
                  + _unsafes("advbench@roleplay", 4, 2))
    b = write_run(tmp_path / "b", _unsafes("advbench", 4, 3))
    table = collect([ReportRow("A", a), ReportRow("B", b)])
    heads = [c.header for c in table.columns]
    assert heads == ["text harmful ASR", "text harmful ASR, suffix", "text harmful ASR, roleplay"]
    assert table.columns[1].task == "advbench@suffix"
    assert overall(table.rows[0].cells["text harmful ASR, suffix"])["value"] == 0.75
    assert table.rows[1].cells["text harmful ASR, suffix"] is None
    header, body = table_cells(table)
    assert body[1][2] == "–"


def test_token_costs_are_columns_when_rows_have_them(tmp_path, write_run):
    from vlguard.report.markdown import table_cells

    from .conftest import _unsafes

    run = write_run(tmp_path / "a", _unsafes("advbench", 2, 1))
    rows = [ReportRow("V", run, train_seconds=100.0, train_share=1.0, train_tokens=1_000_000, token_share=1.0),
            ReportRow("P", run, train_seconds=12.0, train_share=0.12, train_tokens=80_000, token_share=0.08)]
    header, body = table_cells(collect(rows))
    assert header[-4:] == ["train tokens", "tokens % of VL tuning", "train s", "% of VL tuning"]
    assert body[1][-4:] == ["80,000", "8.0%", "12", "12.0%"]
