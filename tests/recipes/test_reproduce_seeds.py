"""`vlguard reproduce --seeds N`: the aggregation across seeds on hand-made numbers, the flag, the job graph,
and a tiny 2-seed reproduction end to end (each seed's folder is its plain run; a rerun resumes)."""

import json

import pytest

from vlguard.config import load_config
from vlguard.errors import ConfigError
from vlguard.eval.metrics import rate
from vlguard.recipes import reproduce as rp
from vlguard.recipes import reproduce_seeds as rs
from vlguard.recipes.reproduce_stages import stage_configs
from vlguard.recipes.schedule import solo_jobs


def _cell(k, n):
    return {"overall": rate([True] * k + [False] * (n - k))}


def test_a_cell_across_seeds_is_the_mean_with_the_range_and_the_pooled_interval():
    agg = rs.aggregate_cell({0: _cell(0, 30), 1: _cell(1, 30), 2: _cell(2, 30), 3: None})
    assert agg["mean"] == pytest.approx(1 / 30) and agg["min"] == 0 and agg["max"] == pytest.approx(2 / 30)
    assert agg["seeds"] == 3 and agg["values"] == {"0": 0.0, "1": pytest.approx(1 / 30), "2": pytest.approx(2 / 30)}
    assert agg["pooled"]["k"] == 3 and agg["pooled"]["n"] == 90
    assert agg["pooled"]["ci95"] == pytest.approx(rate([True] * 3 + [False] * 87)["ci95"])
    assert rs.fmt_rate_spread(agg) == "3.3 (0.0–6.7) [1.1, 9.3]"
    assert rs.aggregate_cell({0: None, 1: {"overall": {"value": None, "n": 0}}}) is None


def _table(name_cells, tokens):
    cols = [{"header": "unsafes ASR", "task": "vlguard_unsafes", "metric": "attack_success", "lower_is_better": True}]
    return {"judge": "keywords", "columns": cols,
            "rows": [{"name": n, "cells": {"unsafes ASR": c}, "train_tokens": t, "token_share": None,
                      "train_seconds": 1.0, "train_share": None} for (n, c), t in zip(name_cells, tokens)]}


def test_tables_and_checks_across_seeds():
    agg = rs.aggregate_tables({0: _table([("Vanilla", _cell(9, 10)), ("Mixed", _cell(0, 10))], [100, 20]),
                               1: _table([("Vanilla", _cell(10, 10)), ("Mixed", _cell(1, 10))], [110, 30])})
    assert [r["name"] for r in agg["rows"]] == ["Vanilla", "Mixed"] and agg["judge"] == "keywords"
    vanilla, mixed = agg["rows"]
    assert vanilla["cells"]["unsafes ASR"]["mean"] == pytest.approx(0.95)
    assert mixed["cells"]["unsafes ASR"]["pooled"]["k"] == 1
    assert vanilla["costs"]["train_tokens"] == {"mean": 105, "min": 100, "max": 110}
    assert vanilla["costs"]["token_share"] is None
    table = rs.seeds_table(agg)
    assert "| Mixed | 5.0 (0.0–10.0) [0.9, 23.6] | 25 (20–30) | 1.0 (1.0–1.0) |" in table

    ok = {"name": "a", "passed": True, "detail": "fine"}
    checks = rs.tally_checks({0: [ok, {"name": "b", "passed": False, "detail": "12% <= 5%"}],
                              1: [ok, {"name": "b", "passed": True, "detail": "3% <= 5%"}],
                              2: [ok, {"name": "b", "passed": False, "detail": "8% <= 5%"}]})
    assert [(c["name"], c["held"], c["of"], c["failed_seeds"], c["passed"]) for c in checks] == [
        ("a", 3, 3, [], True), ("b", 1, 3, [0, 2], False)]
    assert checks[1]["detail"] == "held on 1 of 3 seeds; seed 0: 12% <= 5%; seed 2: 8% <= 5%"
    assert rs.tally_checks({0: [ok], 1: []})[0]["failed"] == [{"seed": 1, "detail": "not evaluated on this seed"}]


def test_seeds_are_checked_and_the_flag_counts_from_seed(capsys):
    from vlguard.cli import main

    with pytest.raises(ConfigError, match="more than once"):
        rs.check_seeds([0, 1, 0])
    with pytest.raises(ConfigError, match=r"seeds\[1\]"):
        rs.check_seeds([0, -1])
    with pytest.raises(ConfigError, match=">= 1"):
        rs.seed_range(0, 0)
    assert load_config(rp.ReproduceConfig, None, ["seeds=[3, 1]"]).seeds == [3, 1]
    assert main(["reproduce", "--print-config", "--seeds", "3", "seed=5", "seeds=[0]"]) == 0  # the flag wins
    assert "seeds:\n- 5\n- 6\n- 7\n" in capsys.readouterr().out


def test_the_seeds_share_one_graph_with_each_seeds_solo_jobs(tmp_path):
    cfg = load_config(rp.ReproduceConfig, rp.preset_path(rp.QUICK_PRESET), [])
    graphs = [rp.build_jobs(c, d, stage_configs(c, d), quiet=True, prefix=rs.seed_prefix(s))
              for s in (0, 1) for c, d in [(rs.seed_config(cfg, s), rs.seed_dir(tmp_path, s))]]
    plain = rp.build_jobs(cfg, tmp_path, stage_configs(cfg, tmp_path), quiet=True)
    assert [j.name for j in graphs[1]] == [f"s1/{j.name}" for j in plain]
    assert all(a.startswith("s1/") for j in graphs[1] for a in j.after)
    assert set().union(*map(solo_jobs, graphs)) == {"s0/train:llm", "s1/train:llm"}
    assert solo_jobs(graphs[0] + graphs[1]) == set()  # hence `run_jobs(solo=...)`


TINY = ["model_size=xs", "n_train=40", "n_test=20", "n_vl_instruct=40", "helpfulness_samples=10", "llm.steps=2",
        "vanilla.steps=2", "mixed.steps=2", "posthoc_lora.steps=2", "posthoc_full.steps=2", "eval_limit=4",
        "max_new_tokens=4", "workers=1", "save_every=0", "seeds=[0, 1]"]


@pytest.mark.slow
def test_two_seeds_end_to_end_and_resumed(tmp_path):
    cfg = load_config(rp.ReproduceConfig, None, TINY)
    res = rp.reproduce(tmp_path, cfg, log=lambda m: None)
    for s in (0, 1):  # each seed's folder is what the plain run of that seed writes
        d = tmp_path / f"seed-{s}"
        assert json.loads((d / "reproduce_config.json").read_text()) == {**json.loads(
            (tmp_path / "reproduce_config.json").read_text()), "seed": s, "seeds": None}
        for f in ("report.md", "report.html", "results.json", "checks.json", "models/mixed/model", "evals/mixed"):
            assert (d / f).exists()
    train = [(tmp_path / f"seed-{s}/synthguard/train.json").read_bytes() for s in (0, 1)]
    assert train[0] != train[1]  # nothing a seed changes is shared
    summary = json.loads((tmp_path / "checks.json").read_text())
    assert summary == json.loads(json.dumps(res)) and summary["seeds"] == [0, 1]
    per_seed = {s: json.loads((tmp_path / f"seed-{s}/checks.json").read_text())["checks"] for s in (0, 1)}
    assert len(summary["checks"]) == len(per_seed[0]) == 20
    for i, c in enumerate(summary["checks"]):
        assert c["of"] == 2 and c["held"] == sum(per_seed[s][i]["passed"] for s in (0, 1))
        assert c["failed_seeds"] == [s for s in (0, 1) if not per_seed[s][i]["passed"]]
    assert summary["passed"] == all(c["passed"] for cs in per_seed.values() for c in cs)
    assert "train:llm" in summary["per_seed"]["1"]["job_seconds"]
    report = (tmp_path / "report.md").read_text()
    assert "| Vanilla |" in report and "(the lowest – the highest seed's)" in report
    assert "checks held on every seed" in report and "[seed-1/report.md](seed-1/report.md)" in report
    assert json.loads((tmp_path / "seeds.json").read_text())["seeds"] == [0, 1]

    done = {p: p.stat().st_mtime_ns for p in tmp_path.glob("seed-*/models/*/train_summary.json")}
    logs: list[str] = []
    again = rp.reproduce(tmp_path, cfg, log=logs.append)
    assert {p: p.stat().st_mtime_ns for p in done} == done and len(done) == 12
    assert sum("trained already" in m for m in logs) == 12 and sum("evaluated already" in m for m in logs) == 12
    assert any(m.startswith("[s1] [mixed] trained already") for m in logs)
    assert again["checks"] == res["checks"]
