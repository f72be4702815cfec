"""`data build` against a real OpenAI-compatible HTTP server on localhost, scripted per request."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vlguard.clients.openai_compat import OpenAIBackend
from vlguard.clients.usage import Usage
from vlguard.data.build import (
    BuildOptions,
    BuildSummary,
    build,
    cache_key,
    check_build_output,
    dry_run,
    load_cache,
    output_paths,
    plan,
)
from vlguard.data.build_prompts import load_prompt_set
from vlguard.data.labels import default_taxonomy, labels_from_records, write_labels
from vlguard.data.validate import validate_file
from vlguard.synth import generate_synthguard

from tests.support.openai_server import (
    ContentPolicy,
    FakeOpenAIServer,
    Malformed,
    RateLimited,
    Reply,
    ServerError,
    Slow,
)

sys.path.insert(0, str(Path(__file__).parent))
from build_fakes import good_answer, image_sha, part_of  # noqa: E402

TAX = default_taxonomy()
PROMPTS = load_prompt_set("v1")


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """20 SynthGuard train images (safe and unsafe) with their labels."""
    root = tmp_path_factory.mktemp("sg")
    generate_synthguard(root, seed=0, n_train=20, n_test=4, n_vl_instruct=4)
    records = json.loads((root / "train.json").read_text())
    labels = labels_from_records(records)
    assert len(labels) == 20 and 0 < sum(lab.safe for lab in labels) < 20
    return root / "train", labels


def backend(server, **kw):
    kw = {"concurrency": 4, "backoff_base": 0.01, "backoff_max": 0.05, "timeout": 5.0, **kw}
    return OpenAIBackend("annotator", base_url=server.base_url, **kw)


def run(synth, server, out, labels=None, opts=None, **backend_kw):
    images, all_labels = synth
    opts = opts or BuildOptions(model="annotator", base_url=server.base_url)
    return build(labels or all_labels, images, out, opts, PROMPTS, TAX, backend=backend(server, **backend_kw))


def n_parts(labels):
    return sum(2 if lab.safe else 1 for lab in labels)


def test_build_of_20_synthguard_images_validates_and_lints_clean(synth, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    images, labels = synth
    out = tmp_path / "built.json"
    with FakeOpenAIServer(good_answer) as server:
        summary = run(synth, server, out)
    assert server.script_errors == []
    assert len(server.chat_requests) == n_parts(labels) == summary.parts
    assert summary.records == 20 and summary.failures == {}
    assert validate_file(out, image_root=images, lint=True) == []
    data = json.loads(out.read_text())
    assert [r["image"] for r in data] == [lab.image for lab in labels]
    unsafe = [r for r in data if not r["safe"]]
    assert all(r["harmful_category"] and r["harmful_subcategory"] for r in unsafe)
    # Every request carries its image inline and one prompt; unsafe images name their labels in it.
    req = next(r for r in server.chat_requests if part_of(r) == "instruction")
    lab = next(lab for lab in labels if not lab.safe and image_sha(req) in _shas(images, [lab]))
    assert f"Category: {lab.category}. Subcategory: {lab.subcategory}" in req.messages[0]["content"][1]["text"]
    # Token accounting: what the server reported, summed.
    manifest = json.loads(output_paths(out)["manifest"].read_text())
    assert manifest["summary"]["usage"]["calls"] == len(server.chat_requests)
    assert manifest["summary"]["usage"]["prompt_tokens"] > 85 * len(server.chat_requests)
    assert manifest["prompts"] == PROMPTS.version
    # The key went in the Authorization header only, never into a file.
    assert server.chat_requests[0].headers["authorization"] == "Bearer sk-test-secret"
    assert not [p for p in tmp_path.iterdir() if "sk-test-secret" in p.read_text()]


def _shas(images, labels):
    import hashlib

    return {hashlib.sha256((images / lab.image).read_bytes()).hexdigest() for lab in labels}


def test_a_malformed_answer_is_sent_back_with_its_reason_and_retried(synth, tmp_path):
    _, labels = synth
    one = [next(lab for lab in labels if not lab.safe)]
    script = ["Sure! Here is an instruction: describe the image.",
              Reply("INSTRUCTION: Describe it.\nRESPONSE: I'm sorry, but I can't help with that; it is harmful.")]
    with FakeOpenAIServer(script) as server:
        summary = run(synth, server, tmp_path / "o.json", labels=one)
    assert summary.records == 1
    reqs = server.chat_requests
    assert len(reqs) == 2
    assert reqs[1].messages[1] == {"role": "assistant", "content": "Sure! Here is an instruction: describe the image."}
    assert "cannot be used: expected one INSTRUCTION line" in reqs[1].messages[2]["content"]
    row = next(iter(load_cache(output_paths(tmp_path / "o.json")["cache"]).values()))
    assert [a["reason"].split(":")[0] for a in row["attempts"]] == ["unparseable", "ok"]
    assert row["usage"]["calls"] == 2


def test_a_malformed_response_body_is_an_api_error_left_for_the_next_run(synth, tmp_path):
    _, labels = synth
    one = [next(lab for lab in labels if not lab.safe)]
    out = tmp_path / "o.json"
    with FakeOpenAIServer([Malformed()]) as server:
        summary = run(synth, server, out, labels=one)
    assert summary.failures == {"api-error": 1} and summary.usage["calls"] == 0
    assert load_cache(output_paths(out)["cache"]) == {}
    (fail,) = [json.loads(x) for x in output_paths(out)["failures"].read_text().splitlines()]
    assert "malformed response" in fail["detail"]


def test_wrong_answers_fail_after_bounded_attempts_into_the_failures_file(synth, tmp_path):
    images, labels = synth
    safe = next(lab for lab in labels if lab.safe)

    def script(req):
        if part_of(req) == "unsafe_instruction":  # complies instead of refusing, every time
            return "INSTRUCTION: Write a joke that mocks women.\nRESPONSE: Sure, here is a joke about women."
        return good_answer(req)

    out = tmp_path / "o.json"
    opts = BuildOptions(model="annotator", max_attempts=2)
    with FakeOpenAIServer(script) as server:
        summary = run(synth, server, out, labels=[safe, next(lab for lab in labels if not lab.safe)], opts=opts)
    assert len(server.chat_requests) == 1 + 2 + 1
    assert summary.records == 1 and summary.failures == {"no-refusal": 1}
    (fail,) = [json.loads(x) for x in output_paths(out)["failures"].read_text().splitlines()]
    assert fail["image"] == safe.image and fail["part"] == "unsafe_instruction" and len(fail["attempts"]) == 2
    assert "Sure, here is a joke" in fail["attempts"][0]["answer"]
    assert validate_file(out, image_root=images, lint=True) == []


@pytest.mark.parametrize("answer,reason", [
    ("INSTRUCTION: What is shown?\nRESPONSE: I'm sorry, but I cannot help with that.", "refuses-safe"),
    ("INSTRUCTION: What is shown?\nRESPONSE: No image was provided, please upload one.", "no-image-answer"),
    ("I'm sorry, but I can't assist with creating this content.", "annotator-refused"),
    ("INSTRUCTION: What is shown?", "unparseable"),
])
def test_each_kind_of_bad_safe_answer_gets_its_reason(synth, tmp_path, answer, reason):
    _, labels = synth
    safe = next(lab for lab in labels if lab.safe)

    def script(req):
        return answer if part_of(req) == "safe_instruction" else good_answer(req)

    with FakeOpenAIServer(script) as server:
        summary = run(synth, server, tmp_path / "o.json", labels=[safe],
                      opts=BuildOptions(model="annotator", max_attempts=1))
    assert summary.failures == {reason: 1}


@pytest.mark.slow
def test_rate_limits_server_errors_and_timeouts_are_retried(synth, tmp_path):
    _, labels = synth
    some = labels[:3]
    script = [RateLimited(retry_after=0.01), ServerError(500), Slow(3.0), ServerError(503)]
    with FakeOpenAIServer(script, default=Reply("unused")) as server:
        server.script = lambda req: script.pop(0) if script else good_answer(req)
        # 1 s: the slow answer times out, while a loaded CI machine answers the others well inside it
        summary = run(synth, server, tmp_path / "o.json", labels=some, timeout=1.0, concurrency=1)
    assert summary.records == 3 and summary.failures == {}
    assert len(server.chat_requests) == n_parts(some) + 4


def test_a_provider_block_fails_the_part_at_once(synth, tmp_path):
    _, labels = synth
    unsafe = next(lab for lab in labels if not lab.safe)
    with FakeOpenAIServer([ContentPolicy()]) as server:
        summary = run(synth, server, tmp_path / "o.json", labels=[unsafe])
    assert summary.failures == {"api-refused": 1} and len(server.chat_requests) == 1
    assert summary.usage["calls"] == 0  # an HTTP 400 block is not billed, so it is not counted


def test_api_errors_are_not_cached_and_a_rerun_asks_only_for_them(synth, tmp_path):
    _, labels = synth
    some = labels[:4]
    out = tmp_path / "o.json"
    bad = {labels[0].image}
    shas = _shas(synth[0], [labels[0]])
    with FakeOpenAIServer(lambda req: ServerError(500) if image_sha(req) in shas else good_answer(req)) as server:
        first = run(synth, server, out, labels=some, max_retries=1)
    assert first.failures == {"api-error": n_parts(some[:1])}
    assert first.records == 3 and bad not in {r["image"] for r in json.loads(out.read_text())}
    with FakeOpenAIServer(good_answer) as server:
        second = run(synth, server, out, labels=some)
    assert {image_sha(r) for r in server.chat_requests} == shas
    assert second.records == 4 and second.from_cache == n_parts(some[1:])
    assert Usage(**second.cached_usage).calls == n_parts(some[1:])


def test_failures_are_cached_too_unless_retry_failed(synth, tmp_path):
    _, labels = synth
    safe = next(lab for lab in labels if lab.safe)
    out = tmp_path / "o.json"
    with FakeOpenAIServer("not the format") as server:
        run(synth, server, out, labels=[safe], opts=BuildOptions(model="annotator", max_attempts=1))
    with FakeOpenAIServer(good_answer) as server:
        again = run(synth, server, out, labels=[safe])
        assert server.chat_requests == [] and again.failures == {"unparseable": 2}
        retried = run(synth, server, out, labels=[safe],
                      opts=BuildOptions(model="annotator", retry_failed=True))
    assert retried.records == 1 and len(server.chat_requests) == 2


def test_llm_check_uses_a_judge_model_and_counts_its_tokens(synth, tmp_path):
    _, labels = synth
    safe = next(lab for lab in labels if lab.safe)

    def verdict(req):
        assert "[RESPONSE]" in req.text
        return "It declines.\nVERDICT: REFUSAL" if "sorry" in req.text else "Fine.\nVERDICT: COMPLIANCE"

    with FakeOpenAIServer(good_answer) as server, FakeOpenAIServer(verdict) as judge_server:
        summary = run(synth, server, tmp_path / "o.json", labels=[safe],
                      opts=BuildOptions(model="annotator", check="llm", check_model="judge",
                                        check_base_url=judge_server.base_url, language="French"))
    assert summary.records == 1 and judge_server.script_errors == []
    assert summary.check_usage["calls"] == 2 and summary.usage["calls"] == 2  # each judge call counted once
    assert summary.check_usage["prompt_tokens"] == sum(len(r.text.split()) for r in judge_server.chat_requests)
    assert {r.model for r in judge_server.chat_requests} == {"judge"}
    assert all("in French" in r.messages[0]["content"][1]["text"] for r in server.chat_requests)


def test_editing_a_prompt_invalidates_the_cache(synth, tmp_path):
    _, labels = synth
    folder = tmp_path / "my_prompts"
    folder.mkdir()
    for part, stem in (("safe_instruction", "safe_instruction"), ("unsafe_instruction", "unsafe_instruction"),
                       ("instruction", "unsafe_image")):
        (folder / f"{stem}.txt").write_text(PROMPTS.templates[part])
    mine = load_prompt_set(str(folder))
    assert mine.version.startswith("my_prompts-") and mine.version.split("-")[1] == PROMPTS.version.split("-")[1]
    lab = labels[0]
    before = cache_key("s", "safe_instruction", "m", mine.render("safe_instruction", "English", TAX))
    (folder / "safe_instruction.txt").write_text(PROMPTS.templates["safe_instruction"] + "\nBe brief.")
    edited = load_prompt_set(str(folder))
    assert edited.version != mine.version
    assert cache_key("s", "safe_instruction", "m", edited.render("safe_instruction", "English", TAX)) != before
    assert lab.image  # (the label itself plays no part in the prompt of a safe image)


@pytest.mark.slow
def test_kill_then_resume_repeats_no_answered_call(synth, tmp_path):
    """A real kill (SIGKILL) mid-build, then a rerun: nothing cached by the first run is asked again."""
    images, labels = synth
    csv = tmp_path / "labels.csv"
    write_labels(csv, labels)
    out = tmp_path / "built.json"
    cache = output_paths(out)["cache"]
    answered = 6

    def slow_after(req):  # the first requests answer at once, then the server stalls so the kill lands mid-run
        return good_answer(req) if req.n < answered else Slow(30.0, Reply(good_answer(req)))

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with FakeOpenAIServer(slow_after) as server:
        proc = subprocess.Popen([sys.executable, "-m", "vlguard", "data", "build", "--images", str(images),
                                 "--labels", str(csv), "--annotator", "annotator", "--base-url", server.base_url,
                                 "-o", str(out), "--concurrency", "2"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (not cache.exists() or
                                                   len(cache.read_text().splitlines()) < answered):
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
    first = load_cache(cache)
    assert len(first) >= answered and not out.exists()
    cached = {(row["image_sha256"], row["part"]) for row in first.values()}
    with FakeOpenAIServer(good_answer) as server:
        summary = build(labels, images, out, BuildOptions(model="annotator"), PROMPTS, TAX, backend=backend(server))
    asked = [(image_sha(r), part_of(r)) for r in server.chat_requests]
    assert not set(asked) & cached, "a call answered before the kill was repeated"
    assert len(asked) == len(set(asked)) == n_parts(labels) - len(cached)
    assert summary.records == 20 and summary.from_cache == len(cached)
    assert validate_file(out, image_root=images, lint=True) == []


@pytest.mark.slow
def test_requests_in_flight_never_exceed_the_concurrency(synth, tmp_path):
    from tests.support.openai_server import Hold

    _, labels = synth
    with FakeOpenAIServer(lambda req: Hold(3, Reply(good_answer(req)), max_wait=2.0, linger=0.05)) as server:
        summary = run(synth, server, tmp_path / "o.json", labels=labels[:8], concurrency=3)
    assert summary.records == 8
    assert server.max_in_flight == 3


def test_dry_run_lists_what_the_cache_lacks_and_calls_nothing(synth, tmp_path):
    images, labels = synth
    out = tmp_path / "o.json"
    jobs = plan(labels[:4], images, PROMPTS, TAX, "annotator")
    assert [j.key for j in dry_run(jobs, out)] == [j.key for j in jobs]  # no cache yet: everything
    with FakeOpenAIServer(good_answer) as server:
        run(synth, server, out, labels=labels[:2])
    done = set(load_cache(output_paths(out)["cache"]))
    todo = dry_run(jobs, out)
    assert {j.key for j in todo} == {j.key for j in jobs} - done and len(todo) == n_parts(labels[2:4])


def test_dry_run_with_retry_failed_counts_the_failures_again(synth, tmp_path):
    images, labels = synth
    safe = next(lab for lab in labels if lab.safe)
    out = tmp_path / "o.json"
    with FakeOpenAIServer("not the format") as server:
        run(synth, server, out, labels=[safe], opts=BuildOptions(model="annotator", max_attempts=1))
    jobs = plan([safe], images, PROMPTS, TAX, "annotator")
    assert dry_run(jobs, out) == [] and len(dry_run(jobs, out, retry_failed=True)) == 2


def test_check_build_output_refuses_a_file_no_build_made(tmp_path):
    from vlguard.errors import OutputExistsError

    out = tmp_path / "o.json"
    check_build_output(out)  # nothing there
    out.write_text("[]")
    with pytest.raises(OutputExistsError, match="no earlier build's cache"):
        check_build_output(out)
    check_build_output(out, force=True)
    output_paths(out)["cache"].write_text("")
    check_build_output(out)  # an earlier build's output: resumed, not refused


def test_unfinished_counts_the_parts_a_rerun_asks_again():
    from dataclasses import asdict

    s = BuildSummary(images=3, records=1, parts=5, from_cache=0, usage={}, check_usage={}, cached_usage={},
                     failures={"api-error": 2, "internal-error": 1, "no-refusal": 1}, cost=None, seconds=0.0)
    assert s.unfinished == 3
    assert "unfinished" not in asdict(s)  # the manifest keeps the same fields


def test_a_build_with_no_annotated_image_writes_no_dataset_file(tmp_path):
    from vlguard.data.build import output_paths, write_build

    paths = output_paths(tmp_path / "o.json")
    write_build(paths, [], [{"id": "a", "reason": "unparseable"}])
    assert not paths["out"].exists() and paths["failures"].read_text().count("\n") == 1
    write_build(paths, [{"id": "a"}], [])
    assert paths["out"].exists()


def test_build_outputs_that_cannot_be_written_fail_before_any_request(tmp_path):
    from vlguard.data.build import check_build_output
    from vlguard.errors import DataError, OutputExistsError

    (tmp_path / "d.json").mkdir()
    with pytest.raises(OutputExistsError, match="is a directory"):
        check_build_output(tmp_path / "d.json", force=True)
    (tmp_path / "f").write_text("x")
    with pytest.raises(DataError, match="is a file, not a folder"):
        check_build_output(tmp_path / "f" / "o.json", force=True)
