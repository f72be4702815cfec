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


class _InlinePool:
    """Runs each job at once in this process, recording (name, threads) per round: the jobs submitted
    between two waits of the scheduler are the ones running together."""

    def __init__(self):
        self.rounds = [[]]

    def submit(self, job, threads):
        from concurrent.futures import Future

        self.rounds[-1].append((job.name, threads))
        fut = Future()
        fut.set_result((job.fn(*job.args, log=lambda m: None), 0.0))
        return fut


def test_given_solo_jobs_get_every_core_and_run_alone(monkeypatch):
    """Two independent graphs (the seeds of `reproduce --seeds`): each one's solo job keeps every core, as
    when its graph runs alone, and never shares them with another job."""
    from vlguard.recipes import schedule

    pool = _InlinePool()
    real_wait = schedule.wait

    def wait(*args, **kwargs):
        pool.rounds.append([])
        return real_wait(*args, **kwargs)

    monkeypatch.setattr(schedule, "wait", wait)
    jobs = [Job(n, _record, (n, []), after=a) for n, a in
            (("a", ()), ("b", ("a",)), ("c", ("a",)), ("x", ()), ("y", ("x",)), ("z", ("x",)))]
    solo = solo_jobs(jobs[:3]) | solo_jobs(jobs[3:])
    done = schedule._schedule(jobs, pool, workers=2, cores=4, log=lambda m: None, solo=solo)
    assert set(done) == set("abcxyz")
    assert [r for r in pool.rounds if r] == [[("a", 4)], [("b", 2), ("c", 2)], [("x", 4)], [("y", 2), ("z", 2)]]
