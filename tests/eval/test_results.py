"""Reading back what a run wrote: generation records and metrics.json of the wrong shape, total failure."""

import pytest

from vlguard.errors import DataError
from vlguard.eval.records import GenerationRecord
from vlguard.eval.results import TaskMetrics, all_failed

GOOD = {"id": "a", "task": "advbench", "prompt": "p", "output": "o"}


@pytest.mark.parametrize("change,match", [
    ({"prompt": 3}, "'prompt' must be a string"), ({"output": None}, "'output' must be a string"),
    ({"image": ["x.png"]}, "'image' must be a string or null"), ({"error": {"e": 1}}, "'error' must be"),
    ({"refused_by_api": "yes"}, "'refused_by_api' must be true/false"), ({"seconds": "1s"}, "'seconds' must be"),
    ({"seconds": True}, "'seconds' must be"), ({"labels": [1]}, "'labels' must be an object"),
    ({"labels": {"category": [1]}}, "label 'category' must be a string"),
    ({"labels": {"should_refuse": "no"}}, "label 'should_refuse' must be true/false/null"),
    ({"labels": {"subset": True}}, "label 'subset' must be a string"), ({"messages": ["hi"]}, "'messages' must be"),
    ({"id": 5}, "no 'id' string"), ({"task": ""}, "no 'task' string"),
])
def test_records_of_the_wrong_types_are_named(change, match):
    with pytest.raises(DataError, match=match):
        GenerationRecord.from_dict({**GOOD, **change}, "g.jsonl")


def test_a_good_record_reads_back():
    r = GenerationRecord.from_dict({**GOOD, "labels": {"should_refuse": True, "category": "x"}, "seconds": 1})
    assert r.key == ("advbench", "a") and r.labels["should_refuse"] is True


@pytest.mark.parametrize("entry,match", [
    ({"metrics": {}, "samples": [3]}, "'samples' must be a count"), ({"metrics": {}, "errors": -1}, "'errors'"),
    ({"metrics": {}, "samples": True}, "'samples'"), ({"metrics": {"x": 1}}, "each metric an object"),
    ({"metrics": {}, "error_reasons": "many"}, "'error_reasons' must be a list"),
    ({"metrics": {}, "judge": "kw"}, "'judge' must be an object"), ({"metrics": []}, "not a task's metrics"),
])
def test_task_metrics_of_the_wrong_shape(entry, match):
    with pytest.raises(DataError, match=match):
        TaskMetrics.from_dict(entry, "metrics.json: kw/t")


def test_all_failed_counts_every_task():
    def m(samples, errors, reasons=()):
        return {"samples": samples, "errors": errors, "error_reasons": list(reasons)}

    assert all_failed({"a": m(3, 3, ["generation"]), "b": m(2, 2, ["judge"])}) == \
        "all 5 sample(s) failed (generation, judge)"
    assert all_failed({"a": m(3, 3), "b": m(2, 1)}) is None
    assert all_failed({}) is None and all_failed({"a": m(0, 0)}) is None
    tm = TaskMetrics("p", 2, 2, ["api"], {})
    assert all_failed({"a": tm}) == "all 2 sample(s) failed (api)"
