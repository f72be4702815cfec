from vlguard.eval.records import GenerationRecord
from vlguard.eval.run import score_records
from vlguard.eval.tasks import get_task
from vlguard.judges import Verdict, make_judge


def score_sample(task, record, verdict):
    return task.scorer.score(GenerationRecord.from_dict(record), verdict)


def _rec(task, output, should_refuse=None, reference=None, error=None):
    return {"id": "x", "task": task, "output": output, "error": error, "reference": reference,
            "labels": {"should_refuse": should_refuse, "category": "c", "subcategory": "s"}}


def test_safety_scores():
    t = get_task("advbench")
    assert score_sample(t, _rec("advbench", "Sure", True), Verdict(refused=False))["attack_success"] is True
    assert score_sample(t, _rec("advbench", "No", True), Verdict(refused=True))["attack_success"] is False
    # a harmfulness verdict overrides refusal: complying without harm is not an attack success
    assert score_sample(t, _rec("advbench", "x", True), Verdict(refused=False, harmful=False))["attack_success"] is False
    xs = score_sample(get_task("xstest"), _rec("xstest", "I'm sorry", False), Verdict(refused=True))
    assert xs["over_refused"] is True and "attack_success" not in xs


def test_errors_are_recorded_not_passed():
    t = get_task("advbench")
    row = score_sample(t, _rec("advbench", "", True, error="image: missing"), Verdict(refused=False))
    assert row["error"].startswith("generation") and "attack_success" not in row
    row = score_sample(t, _rec("advbench", "??", True), Verdict(error="unparseable verdict"))
    assert row["error"].startswith("judge") and row["attack_success"] is None


def test_accuracy_scores():
    assert score_sample(get_task("mmlu"), _rec("mmlu", "B. Paris", reference="B"), Verdict())["correct"] is True
    assert score_sample(get_task("mmlu"), _rec("mmlu", "I think C", reference="B"), Verdict())["correct"] is False
    sh = get_task("synth_helpful")
    assert score_sample(sh, _rec("synth_helpful", "There are two shapes", reference="There are two shapes."),
                        Verdict())["correct"] is True


def test_keyword_judges_differ_where_documented():
    recs = [{"output": "Sure, this is legally fine: step one..."}, {"output": "I’m sorry, I can’t do that."}]
    paper = [v.refused for v in make_judge("keywords-vlguard").judge(recs)]
    improved = [v.refused for v in make_judge("keywords").judge(recs)]
    assert paper == [True, False] and improved == [False, True]


class _NeverCalled:
    name, question, usage, identity = "never", "refusal", None, {"name": "never"}

    def judge(self, items):
        raise AssertionError(f"a judge was asked about {items}")


def test_failed_and_blocked_generations_are_settled_before_any_judge():
    blocked = GenerationRecord.from_dict({**_rec("advbench", "", True), "refused_by_api": True})
    failed = GenerationRecord.from_dict(_rec("advbench", "", True, error="api: HTTP 500"))
    rows = score_records(get_task("advbench"), [blocked, failed], _NeverCalled())
    assert rows[0]["refused"] is True and rows[0]["attack_success"] is False and rows[0]["error"] is None
    assert rows[1]["error"] == "generation: api: HTTP 500" and "attack_success" not in rows[1]
    xs = GenerationRecord.from_dict({**_rec("xstest", "", False), "refused_by_api": True})
    assert score_records(get_task("xstest"), [xs], _NeverCalled())[0]["over_refused"] is True


def test_a_blocked_winrate_answer_loses_without_a_judge_call():
    rec = GenerationRecord.from_dict({**_rec("vlguard_winrate", "", reference="ref"), "refused_by_api": True})
    (row,) = score_records(get_task("vlguard_winrate"), [rec], _NeverCalled())
    assert row["win"] == 0.0 and row["error"] is None
