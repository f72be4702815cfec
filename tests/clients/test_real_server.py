"""The openai backend, the LLM judge and `data build` against a real server: `transformers serve` (the
`serving` extra of transformers, in the dev extra) serving a trained tiny model on 127.0.0.1.

The fake server (tests/clients/test_openai_compat.py) keeps the faults a real server will not produce on
demand: 429, 500, malformed bodies, timeouts.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.servers import RealServer, free_port, transformers_serve_cmd
from tests.support.tiny_runs import compare_tasks, outputs, synth_world, timed_eval, train_tiny

pytestmark = pytest.mark.slow
LIMIT = 20  # per task: 40 samples, with and without images


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("real_server")
    world = synth_world(root / "world")
    return world, train_tiny(world, root / "trained")


SPEED: list[dict] = []  # start-up and tokens/s of each engine, printed by the comparison test


@pytest.fixture(scope="module")
def hf_outputs(trained, tmp_path_factory):
    from vlguard.eval.run import EvalConfig

    world, model = trained
    run = tmp_path_factory.mktemp("hf") / "run"
    return timed_eval(EvalConfig(model=str(model), tasks=compare_tasks(world), output_dir=str(run), limit=LIMIT,
                                 dtype="float32"), model, "hf", SPEED)


@pytest.fixture(scope="module")
def server(trained, request):
    _, model = trained
    port = free_port()
    srv = RealServer(transformers_serve_cmd(str(model), port), port, str(model), startup_timeout=120)
    request.addfinalizer(srv.stop)  # stopped even when a test fails
    srv.start()
    print(f"\ntransformers serve ready in {srv.startup_seconds:.1f} s")
    return srv


def _eval_args(trained, server, out, *extra):
    world, _ = trained
    return [sys.executable, "-m", "vlguard.cli", "eval", "--model", server.model, "--backend", "openai",
            "--base-url", server.base_url, "--tasks", ",".join(compare_tasks(world)), "-o", str(out),
            "--limit", str(LIMIT), *extra]


def test_eval_against_transformers_serve_equals_the_hf_backend(trained, server, hf_outputs, tmp_path):
    from vlguard.eval.run import EvalConfig

    world, model = trained
    run = tmp_path / "openai"
    served = timed_eval(EvalConfig(model=server.model, tasks=compare_tasks(world), output_dir=str(run),
                                   backend="openai", base_url=server.base_url, limit=LIMIT, concurrency=4),
                        model, "transformers serve", SPEED, startup_s=server.startup_seconds)
    assert len(served) == 2 * LIMIT and served.keys() == hf_outputs.keys()
    same = sum(served[k] == hf_outputs[k] for k in served)
    assert same == len(served), [(k, served[k], hf_outputs[k]) for k in served if served[k] != hf_outputs[k]][:3]
    records = [json.loads(x) for x in (run / "generations.jsonl").read_text().splitlines()]
    assert all(r["error"] is None for r in records)
    for r in SPEED:
        print(f"\n{r['engine']}: start-up {r['startup_s']:.1f} s, {r['answers']} answers, {r['tokens']} tokens "
              f"in {r['seconds']:.1f} s ({r['tokens'] / r['seconds']:.0f} tokens/s)")


def test_a_killed_openai_eval_resumes_to_the_same_records(trained, server, hf_outputs, tmp_path):
    run = tmp_path / "killed"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.Popen(_eval_args(trained, server, run, "--concurrency", "1"), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    gens, deadline = run / "generations.jsonl", time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if gens.is_file() and gens.read_text().count("\n") >= 3:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        os.killpg(proc.pid, signal.SIGKILL)  # as a crash would: no clean-up of any kind
    finally:
        proc.wait(timeout=30)
    before = gens.read_text().count("\n")
    assert 3 <= before < 2 * LIMIT
    done = subprocess.run(_eval_args(trained, server, run, "--concurrency", "4", "--resume"), env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert outputs(run) == hf_outputs


def test_llm_judge_verdicts_of_a_tiny_model_are_errors_never_passes(trained, server, tmp_path):
    from vlguard.eval.run import EvalConfig, judge_run, run_eval
    from vlguard.judges import JudgeOptions

    world, model = trained
    run = tmp_path / "judged"
    run_eval(EvalConfig(model=str(model), tasks=[f"synth_harmful={world}"], output_dir=str(run), limit=4,
                        dtype="float32"), progress=False, log=lambda m: None)
    summary = judge_run(run, "llm", options=JudgeOptions(server.model, server.base_url, concurrency=4),
                        log=lambda m: None)
    entry = json.loads((run / "metrics.json").read_text())["judges"]["llm"]["synth_harmful"]
    assert entry["errors"] == 4, entry  # a tiny model writes no VERDICT line
    asr = entry["metrics"]["attack_success"]["overall"]
    assert asr["n"] == 0 and asr["k"] == 0  # nothing was counted, as a pass or a failure
    scores = [json.loads(x) for x in (run / "scores" / "llm.jsonl").read_text().splitlines()]
    assert len(scores) == 4 and all("unparseable" in (s.get("error") or "") for s in scores), scores
    assert summary is not None


def test_data_build_with_a_tiny_annotator_fails_every_part_never_accepts_one(trained, server, tmp_path, capsys):
    from vlguard.cli import main

    world, _ = trained
    labels = tmp_path / "labels.csv"
    assert main(["data", "labels", str(world / "train.json"), "-o", str(labels)]) == 0
    with open(labels, newline="") as f:
        rows = list(csv.reader(f))
    kept = [rows[0]] + [r for r in rows[1:] if r[1] == "true"][:1] + [r for r in rows[1:] if r[1] == "false"][:1]
    with open(labels, "w", newline="") as f:
        csv.writer(f).writerows(kept)
    out = tmp_path / "built.json"
    code = main(["data", "build", "--images", str(world / "train"), "--labels", str(labels), "--annotator",
                 server.model, "--base-url", server.base_url, "-o", str(out), "--max-attempts", "1",
                 "--temperature", "0", "--max-new-tokens", "48", "--concurrency", "3"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 1 and "no image was annotated" in err, err  # an empty dataset is no result
    failures = [json.loads(x) for x in out.with_suffix(".failures.jsonl").read_text().splitlines()]
    # the tiny model's answers are not INSTRUCTION/RESPONSE lines (or it declines the task): failed, not errors
    reasons = {f["reason"] for f in failures}
    assert len(failures) == 3 and reasons <= {"unparseable", "too-long", "annotator-refused"}, failures
    assert not out.exists()
    usage = json.loads(out.with_suffix(".build.json").read_text())["summary"]["usage"]
    assert usage["calls"] == 3 and usage["completion_tokens"] > 0  # the real server's usage, counted
