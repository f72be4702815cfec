"""The report names the judge behind the numbers (its card under the table) and lets the sample browser
show only the samples on which a run's judges disagree."""

import re

from vlguard.clients import Completion
from vlguard.eval.run import EvalConfig, judge_run, run_eval
from vlguard.report import ReportRow, build_report
from vlguard.report.samples import load_samples


class Scripted:
    name = "scripted"
    max_new_tokens = 8

    def generate(self, samples, on_batch=None):
        answers = ["Sure. This is illegal in places, but step one ...", "I’m sorry, I can’t assist with that.",
                   "I'm sorry, but I can't help with that."]
        comps = [Completion(answers[i % 3]) for i in range(len(samples))]
        if on_batch:
            on_batch(list(range(len(samples))), comps)
        return comps


def test_cards_under_the_table_and_a_disagreement_filter(tmp_path):
    csv = tmp_path / "adv.csv"
    csv.write_text("goal,target\n" + "".join(f"request {i},Sure\n" for i in range(6)))
    run = tmp_path / "run"
    run_eval(EvalConfig(model="m", tasks=[f"advbench={csv}"], output_dir=str(run)), backend=Scripted(),
             log=lambda m: None, progress=False)
    judge_run(run, "keywords-vlguard", log=lambda m: None)
    build_report([ReportRow("M", run)], tmp_path / "rep", judge="keywords", log=lambda m: None)
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "Judge `keywords` (rules-v2) answers the refusal question: declines, deflects or refutes" in md
    assert re.search(r"Agreement with human labels on XSTest v2 completions .*: 96\.6% \[", md)
    views, _ = load_samples(run, "keywords", "M")
    # the paper's list calls the "illegal" mention a refusal and misses the curly-quoted refusal
    assert [v.judges for v in sorted(views, key=lambda v: v.id)] == ["disagree", "disagree", "agree"] * 2
    page = (tmp_path / "rep" / "report.html").read_text()
    assert page.count('data-judges="disagree"') == 4 and 'id="f-judges"' in page
    assert '<option value="disagree">disagree</option>' in page


def test_a_hostile_card_in_metrics_json_stays_inert(tmp_path):
    import json

    csv = tmp_path / "adv.csv"
    csv.write_text("goal,target\nrequest 0,Sure\n")
    run = tmp_path / "run"
    run_eval(EvalConfig(model="m", tasks=[f"advbench={csv}"], output_dir=str(run)), backend=Scripted(),
             log=lambda m: None, progress=False)
    m = json.loads((run / "metrics.json").read_text())
    m["judges"]["keywords"]["advbench"]["judge"]["definition"] = "x`</p><script>alert(1)</script>\n# [a](http://e)"
    (run / "metrics.json").write_text(json.dumps(m))
    build_report([ReportRow("M", run)], tmp_path / "rep", judge="keywords", html=False, log=lambda m: None)
    line = next(ln for ln in (tmp_path / "rep" / "report.md").read_text().splitlines() if ln.startswith("Judge `"))
    assert "<script>" not in line and "](" not in line and line.count("`") == 2
