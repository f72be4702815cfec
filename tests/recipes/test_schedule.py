"""The job graph runner: order, dependencies, failures (the parallel path runs in test_reproduce)."""

from __future__ import annotations

import pytest

from vlguard.recipes.schedule import Job, auto_workers, run_jobs, solo_jobs


def _record(name, seen, log):
    seen.append(name)
    log(f"ran {name}")
    return name.upper()


def test_jobs_run_in_order_and_return_results_with_seconds():
    seen, logs = [], []
    jobs = [Job("a", _record, ("a", seen)), Job("b", _record, ("b", seen), after=("a",)),
            Job("c", _record, ("c", seen), after=("a", "b"))]
    out = run_jobs(jobs, workers=1, log=logs.append)
    assert seen == ["a", "b", "c"] and logs == ["ran a", "ran b", "ran c"]
    assert {k: v[0] for k, v in out.items()} == {"a": "A", "b": "B", "c": "C"}
    assert all(v[1] >= 0 for v in out.values())


def test_a_job_must_come_after_what_it_waits_for_and_names_are_unique():
    with pytest.raises(ValueError, match="waits for"):
        run_jobs([Job("b", _record, ("b", []), after=("a",)), Job("a", _record, ("a", []))])
    with pytest.raises(ValueError, match="duplicate"):
        run_jobs([Job("a", _record, ("a", [])), Job("a", _record, ("a", []))])


def _boom(log):
    raise RuntimeError("broken stage")


def test_a_failure_is_raised_and_later_jobs_do_not_run():
    seen = []
    with pytest.raises(RuntimeError, match="broken stage"):
        run_jobs([Job("a", _boom), Job("b", _record, ("b", seen), after=("a",))], workers=1, log=lambda m: None)
    assert seen == []


def test_auto_workers_is_one_per_core_at_most_four():
    assert auto_workers(1) == 1 and auto_workers(2) == 2 and auto_workers(16) == 4


def test_only_jobs_that_nothing_can_run_beside_are_solo():
    # a -> (b, c); b -> d; d and c may overlap, b and c may overlap: only a is alone whatever the timing
    jobs = [Job("a", _record), Job("b", _record, after=("a",)), Job("c", _record, after=("a",)),
            Job("d", _record, after=("b",)), Job("e", _record, after=("c", "d"))]
    assert solo_jobs(jobs) == {"a", "e"}
    assert solo_jobs([Job("x", _record), Job("y", _record)]) == set()


def test_in_the_reproduce_graph_only_the_llm_training_gets_every_core(tmp_path):
    from vlguard.config import load_config
    from vlguard.recipes import reproduce as rp
    from vlguard.recipes.reproduce_stages import stage_configs

    cfg = load_config(rp.ReproduceConfig, rp.preset_path(rp.QUICK_PRESET), [])
    jobs = rp.build_jobs(cfg, tmp_path, stage_configs(cfg, tmp_path), quiet=True)
    assert solo_jobs(jobs) == {"train:llm"}
