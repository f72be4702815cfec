"""Bad input across the commands, as a hostile new user would give it: each is one line `error: ...`, a
non-zero exit, and no file left behind in a fresh output folder (the classes of issue 15)."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from vlguard.cli import main

from tests.support.openai_server import FakeOpenAIServer, HTTPError, Reply

pytestmark = pytest.mark.filterwarnings("ignore")


def _train_yaml(tmp_path, data, model="m", out=None):
    p = tmp_path / "t.yaml"
    p.write_text(yaml.safe_dump({"model": str(model), "output_dir": str(out or tmp_path / "fresh"), "progress": False,
                                 "data": {"safety": [{"path": str(data)}]}, "optim": {"max_steps": 2}}))
    return p


# --- numbers out of range: caught before any model loads or file is written ---------------------------

@pytest.mark.parametrize("override,key", [
    ("optim.lr=-1", "optim.lr"), ("optim.lr=0", "optim.lr"), ("optim.batch_size=0", "optim.batch_size"),
    ("optim.grad_accum=0", "optim.grad_accum"), ("seed=-1", "seed"), ("optim.max_steps=-5", "optim.max_steps"),
    ("optim.epochs=-3", "optim.epochs"), ("lora.r=0", "lora.r"), ("lora.dropout=2", "lora.dropout"),
    ("optim.warmup_ratio=-0.1", "optim.warmup_ratio"), ("max_length=0", "max_length"),
    ("optim.lr=.inf", "optim.lr"), ("optim.batch_size=1e400", "optim.batch_size"),
])
def test_train_values_out_of_range(tmp_path, vlguard_set, one_line, override, key):
    line = one_line(main(["train", str(_train_yaml(tmp_path, vlguard_set)), override]))
    assert line.startswith(f"error: {key}: ") and ("out of range" in line or "expected" in line)
    assert "target_modules" not in line and not (tmp_path / "fresh").exists()


@pytest.mark.parametrize("flags,key", [
    (["--limit", "-1"], "limit"), (["--limit", "0"], "limit"), (["--max-new-tokens", "-5"], "max_new_tokens"),
    (["--batch-size", "0"], "batch_size"), (["--concurrency", "0"], "concurrency"),
    (["--backend", "gpt"], "backend"), (["--dtype", "int4"], "dtype"),
    (["limit=-2"], "limit"), (["--limit", "99999999999999999999999"], "limit"),
])
def test_eval_values_out_of_range(tmp_path, advbench_csv, one_line, flags, key):
    out = tmp_path / "fresh"
    line = one_line(main(["eval", "--model", "m", "--tasks", f"advbench={advbench_csv}", "-o", str(out), *flags]))
    assert line.startswith(f"error: {key}: ") and not out.exists()


@pytest.mark.parametrize("args,name", [
    (["data", "synth", "-o", "OUT", "--train", "0"], "--train"),
    (["data", "synth", "-o", "OUT", "--seed", "-1"], "--seed"),
    (["data", "synth", "-o", "OUT", "--contamination", "2"], "--contamination"),
    (["data", "synth", "-o", "OUT", "--vl-instruct", "-4"], "--vl-instruct"),
    (["model", "tiny", "-o", "OUT", "--seed", "-7"], "--seed"),
    (["data", "convert", "DATA", "--to", "llava", "-o", "OUT", "--seed", "-1"], "--seed"),
    (["data", "clean", "DATA", "-o", "OUT", "--concurrency", "0"], "--concurrency"),
    (["data", "clean", "DATA", "-o", "OUT", "--price-input", "-1"], "--price-input"),
    (["data", "build", "--images", "IMG", "--labels", "DATA", "--annotator", "m", "-o", "OUT",
      "--concurrency", "0"], "--concurrency"),
    (["data", "build", "--images", "IMG", "--labels", "DATA", "--annotator", "m", "-o", "OUT",
      "--max-attempts", "0"], "--max-attempts"),
    (["data", "build", "--images", "IMG", "--labels", "DATA", "--annotator", "m", "-o", "OUT",
      "--timeout", "0"], "--timeout"),
    (["data", "build", "--images", "IMG", "--labels", "DATA", "--annotator", "m", "-o", "OUT",
      "--temperature", "nan"], "--temperature"),
    (["data", "build", "--images", "IMG", "--labels", "DATA", "--annotator", "m", "-o", "OUT",
      "--max-retries", "-1"], "--max-retries"),
    (["judge", "DIR", "--concurrency", "0"], "--concurrency"),
    (["report", "DIR", "-o", "OUT", "--max-samples", "0"], "--max-samples"),
])
def test_command_options_out_of_range(tmp_path, vlguard_set, one_line, args, name):
    out = tmp_path / "fresh"
    subst = {"OUT": str(out), "DATA": str(vlguard_set), "IMG": str(tmp_path / "train"), "DIR": str(tmp_path)}
    line = one_line(main([subst.get(a, a) for a in args]))
    assert line.startswith(f"error: {name}: ") and "out of range" in line and not out.exists()


# --- failing early, leaving no debris -----------------------------------------------------------------

def test_unknown_or_incomplete_judge_fails_before_the_model_is_touched(tmp_path, advbench_csv, one_line):
    out = tmp_path / "fresh"
    base = ["eval", "--model", str(tmp_path / "no-model"), "--tasks", f"advbench={advbench_csv}", "-o", str(out)]
    assert "unknown judge 'nope'" in one_line(main(base + ["--judge", "nope"]))
    assert "--judge-model" in one_line(main(base + ["--judge", "llm"]))
    assert not out.exists()


def test_train_and_eval_with_a_missing_model_create_no_folder(tmp_path, vlguard_set, advbench_csv, one_line):
    out = tmp_path / "fresh"
    one_line(main(["train", str(_train_yaml(tmp_path, vlguard_set, model=tmp_path / "none", out=out))]))
    one_line(main(["train", str(_train_yaml(tmp_path, vlguard_set, model="org/not-in-cache", out=out))]))
    one_line(main(["eval", "--model", str(tmp_path / "none"), "--tasks", f"advbench={advbench_csv}", "-o", str(out)]))
    assert not out.exists()


@pytest.mark.parametrize("how", ["config-list", "truncated", "adapter-list"])
def test_corrupt_model_files(tmp_path, tiny_llava, advbench_csv, one_line, how):
    model = tmp_path / "model"
    shutil.copytree(tiny_llava, model)
    if how == "config-list":
        (model / "config.json").write_text("[1, 2]")
    elif how == "truncated":
        w = model / "model.safetensors"
        w.write_bytes(w.read_bytes()[: w.stat().st_size // 2])
    else:
        shutil.rmtree(model)
        model.mkdir()
        (model / "adapter_config.json").write_text("[]")
    out = tmp_path / "fresh"
    line = one_line(main(["eval", "--model", str(model), "--tasks", f"advbench={advbench_csv}", "-o", str(out)]))
    assert str(model) in line and not out.exists()
    if how == "adapter-list":
        line = one_line(main(["model", "merge", str(model), "-o", str(out)]))
        assert "adapter_config.json: expected a JSON object" in line and not out.exists()


# --- bad files: JSON edge cases, wrong shapes, wrong encodings ------------------------------------------

@pytest.mark.parametrize("content", [
    "[" * 200_000 + "]" * 200_000, "[" + "7" * 5000 + "]", b"\xff\xfe[1]", "", "{", '{"a": 1}', "[1, 2]",
])
def test_dataset_files_that_are_not_datasets(tmp_path, one_line, content):
    p = tmp_path / "d.json"
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    for cmd in (["data", "stats", str(p)], ["data", "labels", str(p), "-o", str(tmp_path / "l.csv")],
                ["data", "convert", str(p), "--to", "llava", "-o", str(tmp_path / "c.json")]):
        line = one_line(main(cmd))
        assert str(p) in line
    assert not (tmp_path / "l.csv").exists() and not (tmp_path / "c.json").exists()


def _run_dir(tmp_path, advbench_csv):
    from vlguard.clients import Completion
    from vlguard.eval.run import EvalConfig, run_eval

    class B:
        name = "fake"

        def generate(self, samples, on_batch=None):
            comps = [Completion("I'm sorry.") for _ in samples]
            on_batch(list(range(len(samples))), comps)
            return comps

    run = tmp_path / "run"
    run_eval(EvalConfig(model="m", tasks=[f"advbench={advbench_csv}"], output_dir=str(run)), backend=B(),
             log=lambda m: None, progress=False)
    return run


@pytest.mark.parametrize("line_text,match", [
    ("{}", "line 2 is an empty object"), ("[1]", "line 2 is a JSON list"), ('{"id": "x"}', "line 2 has no 'task'"),
    (b'{"id": "\xff", "task": "advbench"}', "line 2: not UTF-8"),
    ('{"id": "z", "task": "advbench", "labels": []}', "'labels' must be an object"),
    ('{"id": "z", "task": "advbench", "labels": {"category": ["x"]}}', "label 'category' must be"),
    ('{"id": "z", "task": "advbench", "output": ["x"]}', "'output' must be a string"),
    ('{"id": "z", "task": "advbench", "labels": {"should_refuse": "yes"}}', "label 'should_refuse' must be"),
])
def test_run_dirs_with_bad_generation_lines(tmp_path, advbench_csv, one_line, line_text, match):
    run = _run_dir(tmp_path, advbench_csv)
    gens = run / "generations.jsonl"
    lines = gens.read_bytes().splitlines(keepends=True)
    extra = line_text if isinstance(line_text, bytes) else line_text.encode()
    gens.write_bytes(lines[0] + extra + b"\n" + b"".join(lines[1:]))
    assert match in one_line(main(["judge", str(run)]))
    assert match in one_line(main(["report", str(run), "-o", str(tmp_path / "rep")]))
    assert not (tmp_path / "rep").exists()


@pytest.mark.parametrize("text", ["[]", '"x"', '{"judges": []}', '{"judges": {"keywords": []}}',
                                  '{"judges": {"keywords": {"advbench": {"metrics": {}, "samples": [1]}}}}',
                                  '{"judges": {"keywords": {"advbench": {"metrics": {}, "errors": "many"}}}}',
                                  "[" * 100_000])
def test_metrics_json_that_is_not_an_eval_runs(tmp_path, advbench_csv, one_line, text):
    run = _run_dir(tmp_path, advbench_csv)
    (run / "metrics.json").write_text(text)
    line = one_line(main(["report", str(run), "-o", str(tmp_path / "rep")]))
    assert "metrics.json" in line and not (tmp_path / "rep").exists()


@pytest.mark.parametrize("row", [{}, [], {"id": "a", "task": "advbench", "refused": [1]},
                                 {"id": "a", "task": "advbench", "win": "big"}])
def test_score_files_with_bad_rows(tmp_path, advbench_csv, one_line, row):
    run = _run_dir(tmp_path, advbench_csv)
    with open(run / "scores" / "keywords.jsonl", "a") as f:
        f.write(json.dumps(row) + "\n")
    line = one_line(main(["report", str(run), "-o", str(tmp_path / "rep")]))
    assert "keywords.jsonl" in line


@pytest.mark.parametrize("rec,match", [
    ({"id": "a", "output": "x", "label": ["refused"]}, "label must be"),
    ({"id": "a", "output": "x", "label": {"r": 1}}, "label must be"),
    ({"id": ["a"], "output": "x"}, "'id' must be"), ({"id": "a", "output": 3}, "'output' must be a string"),
    ({"id": "a", "prompt": {"p": 1}, "output": "x"}, "'prompt' must be a string"), ({"output": "x"}, "missing key"),
])
def test_vlguard_score_bad_records(tmp_path, one_line, rec, match):
    p = tmp_path / "g.jsonl"
    p.write_text(json.dumps(rec) + "\n")
    assert match in one_line(main(["score", str(p), "-o", str(tmp_path / "o.jsonl")]))
    assert not (tmp_path / "o.jsonl").exists()


# --- outputs that cannot be written ---------------------------------------------------------------------

def test_outputs_that_are_folders_or_under_files(tmp_path, vlguard_set, one_line):
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    for out in (tmp_path / "adir", tmp_path / "afile" / "o.json"):
        for cmd in (["data", "convert", str(vlguard_set), "--to", "llava", "-o", str(out), "--force"],
                    ["data", "labels", str(vlguard_set), "-o", str(out), "--force"]):
            line = one_line(main(cmd))
            assert "is a directory" in line or "is a file, not a folder" in line
    assert list((tmp_path / "adir").iterdir()) == []


def test_run_dirs_that_are_files(tmp_path, vlguard_set, advbench_csv, one_line):
    (tmp_path / "afile").write_text("x")
    assert "is a file" in one_line(main(["eval", "--model", "m", "--tasks", f"advbench={advbench_csv}",
                                         "-o", str(tmp_path / "afile")]))
    assert "afile is a file, not a folder" in one_line(
        main(["eval", "--model", "m", "--tasks", f"advbench={advbench_csv}", "-o", str(tmp_path / "afile" / "r")]))
    assert "is a file" in one_line(main(["train", str(_train_yaml(tmp_path, vlguard_set, out=tmp_path / "afile"))]))


# --- total failure is a failure ------------------------------------------------------------------------

def test_eval_openai_with_every_request_failing(tmp_path, advbench_csv, one_line, monkeypatch):
    monkeypatch.setenv("VLGUARD_TEST_KEY", "sk-test")
    out = tmp_path / "run"
    with FakeOpenAIServer(default=HTTPError(401, "bad key")) as server:
        line = one_line(main(["eval", "--backend", "openai", "--model", "gpt-x", "--base-url", server.base_url,
                              "--api-key-env", "VLGUARD_TEST_KEY", "--tasks", f"advbench={advbench_csv}",
                              "-o", str(out)]))
    assert "all 4 sample(s) failed" in line and "HTTP 401" in line
    assert "sk-test" not in line and (out / "metrics.json").exists()


def test_judge_llm_with_every_verdict_an_error(tmp_path, advbench_csv, one_line):
    run = _run_dir(tmp_path, advbench_csv)
    with FakeOpenAIServer(default=Reply("I cannot decide.")) as server:
        line = one_line(main(["judge", str(run), "--judge", "llm", "--judge-model", "j",
                              "--judge-base-url", server.base_url]))
    assert "nothing was scored by llm: all 4 sample(s) failed" in line


def test_clean_llm_with_every_verdict_an_error_writes_nothing(tmp_path, one_line):
    rows = [{"id": str(i), "conversations": [{"from": "human", "value": f"Question {i}?"},
                                             {"from": "gpt", "value": "Answer."}]} for i in range(3)]
    src = tmp_path / "in.json"
    src.write_text(json.dumps(rows))
    out = tmp_path / "out" / "kept.json"
    with FakeOpenAIServer(default=HTTPError(401, "bad key")) as server:
        line = one_line(main(["data", "clean", str(src), "-o", str(out), "--judge", "llm", "--judge-model", "j",
                              "--judge-base-url", server.base_url]))
    assert "all 3 exchange verdict(s) were errors" in line
    assert not out.parent.exists()  # no kept, removed, summary or cache file


def test_build_with_every_part_failing_writes_no_dataset(tmp_path, vlguard_set, one_line, capsys):
    labels = tmp_path / "labels.csv"
    assert main(["data", "labels", str(vlguard_set), "-o", str(labels)]) == 0
    capsys.readouterr()
    out = tmp_path / "built.json"
    with FakeOpenAIServer(default=Reply("no idea")) as server:
        rc = main(["data", "build", "--images", str(tmp_path / "train"), "--labels", str(labels), "--annotator", "m",
                   "--base-url", server.base_url, "-o", str(out), "--max-attempts", "1"])
    err = capsys.readouterr().err
    assert rc == 1 and "error: no image was annotated" in err and "Traceback" not in err
    assert not out.exists() and out.with_suffix(".failures.jsonl").exists()


@pytest.mark.parametrize("safe", ["yes", 1, None, "true", [True]])
def test_labels_never_drop_a_record_silently(tmp_path, vlguard_set, one_line, safe):
    recs = json.loads(vlguard_set.read_text())
    recs[1]["safe"] = safe
    p = tmp_path / "odd.json"
    p.write_text(json.dumps(recs))
    line = one_line(main(["data", "labels", str(p), "-o", str(tmp_path / "l.csv")]))
    assert "record 1 (id 'b'): 'safe' must be true or false" in line and not (tmp_path / "l.csv").exists()


# --- the path guard ----------------------------------------------------------------------------------------

def test_validate_reports_a_symlink_out_of_the_image_root(tmp_path, vlguard_set, capsys):
    (tmp_path / "secret.png").write_bytes((tmp_path / "train" / "a.png").read_bytes())
    (tmp_path / "train" / "a.png").unlink()
    (tmp_path / "train" / "a.png").symlink_to(tmp_path / "secret.png")
    assert main(["data", "validate", str(vlguard_set), "--json"]) == 1
    problems = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [p["code"] for p in problems] == ["image-path"] and "outside the image root" in problems[0]["message"]


def test_build_refuses_a_symlink_out_of_the_image_root_before_sending(tmp_path, vlguard_set, one_line, capsys):
    labels = tmp_path / "labels.csv"
    assert main(["data", "labels", str(vlguard_set), "-o", str(labels)]) == 0
    capsys.readouterr()
    (tmp_path / "secret.png").write_bytes((tmp_path / "train" / "b.png").read_bytes())
    (tmp_path / "train" / "b.png").unlink()
    (tmp_path / "train" / "b.png").symlink_to("../secret.png")
    with FakeOpenAIServer() as server:
        rc = main(["data", "build", "--images", str(tmp_path / "train"), "--labels", str(labels), "--annotator", "m",
                   "--base-url", server.base_url, "-o", str(tmp_path / "b.json")])
        assert not server.chat_requests  # nothing was sent
    err = capsys.readouterr().err
    assert rc == 1 and "outside the image root" in err and not (tmp_path / "b.json").exists()


# --- runs that would mix -------------------------------------------------------------------------------

@pytest.mark.parametrize("flags,named", [(["--model", "m2"], "model"), (["--model", "m", "--limit", "2"], "limit"),
                                         (["--model", "m", "--max-new-tokens", "7"], "max_new_tokens")])
def test_eval_resume_of_another_run_is_one_line_and_touches_nothing(tmp_path, advbench_csv, one_line, flags, named):
    run = _run_dir(tmp_path, advbench_csv)
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    line = one_line(main(["eval", *flags, "--tasks", f"advbench={advbench_csv}", "-o", str(run), "--resume"]))
    assert f"{named}:" in line and "--force" in line
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before
    assert "already holds an eval run" in one_line(main(["eval", *flags, "--tasks", f"advbench={advbench_csv}",
                                                         "-o", str(run)]))
