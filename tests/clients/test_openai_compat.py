"""The openai backend against a real local HTTP server (tests.support.openai_server)."""

from __future__ import annotations

import base64
import io
import json
import logging
import socket
import threading

import pytest
from PIL import Image

from vlguard.clients import make_backend
from vlguard.clients.messages import image_data_url, openai_messages
from vlguard.clients.openai_compat import OpenAIBackend, is_local, retry_after
from vlguard.errors import ConfigError
from vlguard.schema import Sample, Turn

from tests.support.openai_server import (
    ContentPolicy,
    FakeOpenAIServer,
    Hold,
    HTTPError,
    Malformed,
    RateLimited,
    Reply,
    ServerError,
    Slow,
)

KEY_ENV = "VLGUARD_TEST_OPENAI_KEY"


@pytest.fixture
def key(monkeypatch) -> str:
    secret = "sk-test-" + "Z9" * 20
    monkeypatch.setenv(KEY_ENV, secret)
    return secret


def text_sample(i: int | str, text: str | None = None) -> Sample:
    return Sample(id=f"s{i}", messages=(Turn("user", text if text is not None else f"question {i}"),))


def image_sample(tmp_path, colour=(200, 10, 10)) -> Sample:
    Image.new("RGB", (12, 8), colour).save(tmp_path / "red.png")
    return Sample(id="img", messages=(Turn("system", "Be brief."), Turn("user", "What colour is it?")),
                  image="red.png", image_root=str(tmp_path))


def backend(server: FakeOpenAIServer, **kw) -> OpenAIBackend:
    kw = {"api_key_env": KEY_ENV, "backoff_base": 0.001, "timeout": 5.0, **kw}
    return OpenAIBackend("test-model", base_url=server.base_url, **kw)


def test_image_travels_as_png_data_url_with_the_key_in_the_header(tmp_path, key):
    with FakeOpenAIServer([Reply("  It is red.  ")]) as server:
        out = backend(server, max_new_tokens=17).generate([image_sample(tmp_path)])
    assert out[0].text == "It is red." and out[0].error is None and not out[0].refused_by_api
    (req,) = server.chat_requests
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {key}"
    assert req.body["model"] == "test-model" and req.body["max_tokens"] == 17 and req.body["temperature"] == 0.0
    system, user = req.body["messages"]
    assert system == {"role": "system", "content": "Be brief."}
    image_part, text_part = user["content"]
    assert text_part == {"type": "text", "text": "What colour is it?"}
    url = image_part["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    im = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert im.format == "PNG" and im.size == (12, 8) and im.convert("RGB").getpixel((3, 3)) == (200, 10, 10)


def test_text_only_prompt_is_a_plain_string_and_only_the_first_user_turn_gets_the_image():
    s = Sample(id="x", messages=(Turn("user", "a"), Turn("assistant", "b"), Turn("user", "c"), Turn("assistant", "d")))
    assert openai_messages(s, None) == [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                                      {"role": "user", "content": "c"}]
    with_image = openai_messages(s, "data:image/png;base64,AAAA")
    assert with_image[0]["content"][0]["type"] == "image_url" and with_image[2]["content"] == "c"


def test_429_is_retried_after_the_servers_retry_after(key):
    with FakeOpenAIServer([RateLimited(retry_after=7), Reply("fine")]) as server:
        b = backend(server)
        slept: list[float] = []
        b._sleep = slept.append  # record instead of waiting 7 s
        out = b.generate([text_sample(0)])
    assert out[0].text == "fine" and out[0].error is None
    assert len(server.chat_requests) == 2
    assert len(slept) == 1 and slept[0] >= 7.0


def test_backoff_grows_exponentially_with_jitter_when_no_retry_after(key):
    with FakeOpenAIServer([ServerError(503)] * 3 + [Reply("ok")]) as server:
        b = backend(server, backoff_base=1.0, backoff_max=3.0, max_retries=3)
        slept: list[float] = []
        b._sleep = slept.append
        assert b.generate([text_sample(0)])[0].text == "ok"
    assert len(slept) == 3
    assert 0.5 <= slept[0] <= 1.0 and 1.0 <= slept[1] <= 2.0 and 1.5 <= slept[2] <= 3.0  # capped at backoff_max


@pytest.mark.parametrize("headers, expected", [
    ({"retry-after": "3"}, 3.0), ({"retry-after": "0.25"}, 0.25), ({"retry-after-ms": "1500"}, 1.5),
    ({"retry-after": "soon"}, None), ({}, None), ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
])
def test_retry_after_header_forms(headers, expected):
    assert retry_after(headers) == expected


def test_persistent_500_gives_an_error_completion_and_the_others_go_on(key):
    def script(req):
        return ServerError() if req.text == "bad" else Reply(f"answer to {req.text}")

    samples = [text_sample(0), text_sample(1, "bad"), text_sample(2)]
    with FakeOpenAIServer(script) as server:
        out = backend(server, max_retries=2).generate(samples)
    assert [c.text for c in out] == ["answer to question 0", "", "answer to question 2"]
    assert out[0].error is None and out[2].error is None
    assert "HTTP 500" in out[1].error and "3 attempts" in out[1].error
    assert sum(r.text == "bad" for r in server.chat_requests) == 3


def test_timeout_is_retried_then_succeeds(key):
    with FakeOpenAIServer([Slow(3.0), Reply("second try")]) as server:
        out = backend(server, timeout=1.0).generate([text_sample(0)])
    assert out[0].text == "second try" and out[0].error is None
    assert len(server.chat_requests) == 2


def test_connection_errors_are_retried_then_reported(key):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    b = OpenAIBackend("m", base_url=f"http://127.0.0.1:{port}/v1", api_key_env=KEY_ENV, max_retries=2,
                      backoff_base=0.001)
    out = b.generate([text_sample(0)])
    assert out[0].text == "" and "connection" in out[0].error and "3 attempts" in out[0].error


@pytest.mark.parametrize("behaviour", [ContentPolicy(), ContentPolicy("content_filter"),
                                       Reply("partial text", finish_reason="content_filter")])
def test_content_policy_blocks_are_refusals_not_errors(key, behaviour):
    with FakeOpenAIServer([behaviour]) as server:
        out = backend(server).generate([text_sample(0)])
    assert out[0].refused_by_api is True and out[0].error is None and out[0].text == ""
    assert len(server.chat_requests) == 1  # never retried


def test_other_client_errors_are_not_retried(key):
    with FakeOpenAIServer([HTTPError(400, "max_tokens is too large", code="invalid_value")]) as server:
        out = backend(server).generate([text_sample(0)])
    assert out[0].error == "api: HTTP 400: max_tokens is too large" and not out[0].refused_by_api
    assert len(server.chat_requests) == 1


@pytest.mark.parametrize("body", [b'{"choices": [', b"<html>bad gateway</html>", b'{"choices": []}',
                                  b'{"choices": [{"message": {"content": 5}}]}'])
def test_malformed_response_body_is_an_error(key, body):
    with FakeOpenAIServer([Malformed(body)]) as server:
        out = backend(server).generate([text_sample(0)])
    assert out[0].text == "" and out[0].error.startswith("api: malformed response")


def test_concurrency_bound_is_respected_and_results_keep_order(key):
    # The first three requests wait until all three are in flight, and a little longer: the server sees three
    # at once for sure, and a client that sent more at once would show a fourth.
    def script(req):
        return Hold(3, Reply(req.text.upper()), linger=0.1) if req.n < 3 else Reply(req.text.upper())

    calls: list[tuple[list[int], str]] = []
    with FakeOpenAIServer(script) as server:
        out = backend(server, concurrency=3).generate(
            [text_sample(i) for i in range(9)],
            on_batch=lambda idx, comps: calls.append((idx, threading.current_thread().name)))
    assert [c.text for c in out] == [f"QUESTION {i}" for i in range(9)]
    assert server.max_in_flight == 3
    assert sorted(i for idx, _ in calls for i in idx) == list(range(9))
    assert all(name == threading.current_thread().name for _, name in calls)  # on the caller's thread


def test_unloadable_image_fails_that_sample_without_a_request(tmp_path, key):
    broken = Sample(id="b", messages=(Turn("user", "hi"),), image="missing.png", image_root=str(tmp_path))
    with FakeOpenAIServer() as server:
        out = backend(server).generate([broken, text_sample(1)])
    assert out[0].error.startswith("image:") and out[1].text == "ok"
    assert len(server.chat_requests) == 1


def test_missing_key_for_a_remote_server_is_a_clear_error(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(ConfigError, match=KEY_ENV):
        OpenAIBackend("gpt-4o", api_key_env=KEY_ENV)
    with pytest.raises(ConfigError, match=KEY_ENV):
        make_backend("openai", model="m", base_url="https://example.invalid/v1", api_key_env=KEY_ENV)
    assert is_local("http://localhost:8000/v1") and not is_local("https://api.openai.com/v1")


def test_local_server_needs_no_key_and_gets_no_authorization_header(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with FakeOpenAIServer() as server:
        out = backend(server).generate([text_sample(0)])
    assert out[0].text == "ok" and "authorization" not in server.chat_requests[0].headers


def test_the_key_never_appears_in_errors_repr_or_logs(key, caplog, capsys):
    # A misbehaving proxy that echoes the Authorization header back in its error bodies.
    def script(req):
        echo = req.headers.get("authorization", "")
        return {"q 0": HTTPError(401, f"invalid key {echo}"), "q 1": ServerError()}.get(req.text, Reply(echo))

    caplog.set_level(logging.DEBUG)
    with FakeOpenAIServer(script) as server:
        b = backend(server, max_retries=1)
        out = b.generate([text_sample(0, "q 0"), text_sample(1, "q 1")])
    assert server.chat_requests[0].headers["authorization"] == f"Bearer {key}"  # it was sent
    assert "***" in out[0].error
    seen = " ".join([repr(b), str(vars(b).get("api_key_env")), json.dumps([vars(c) for c in out]),
                     caplog.text, *capsys.readouterr()])
    assert key not in seen


# -- end to end: vlguard.eval.run with the openai backend -------------------------------------------------

@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    from vlguard.synth import generate_synthguard

    out = tmp_path_factory.mktemp("synth") / "synthguard"
    generate_synthguard(out, n_train=20, n_test=20, n_vl_instruct=5)
    return out


def test_run_eval_with_the_openai_backend(synth, tmp_path, key, capsys, caplog):
    from vlguard.eval.run import EvalConfig, run_eval
    from vlguard.eval.tasks import get_task

    limit = 10
    harmful = get_task("synth_harmful").load(synth)[:limit]
    helpful = get_task("synth_helpful").load(synth)[:limit]
    answers = {(s.prompt, image_data_url(s)): s.reference for s in helpful}  # same question, other images
    broken = harmful[3].prompt  # a request the server always rejects: one error, the run goes on
    complies = {s.prompt for s in harmful[::3]} - {broken}

    def script(req):
        if req.text == broken:
            return HTTPError(400, "unsupported")
        if req.image_urls:
            return Reply(answers.get((req.text, req.image_urls[0]), "unknown image"))
        return Reply("Sure, here is how to do it, step by step." if req.text in complies
                     else "I'm sorry, I cannot help with that.")

    run_dir = tmp_path / "run"
    cfg = EvalConfig(model="served-model", tasks=[f"synth_harmful={synth}", f"synth_helpful={synth}"],
                     output_dir=str(run_dir), backend="openai", base_url=None, api_key_env=KEY_ENV, limit=limit,
                     concurrency=4)
    with FakeOpenAIServer(script) as server:
        cfg.base_url = server.base_url
        run_eval(cfg, progress=False, log=lambda m: None)
    assert all(r.body["max_tokens"] == 48 for r in server.chat_requests)  # the synth tasks' own limit

    records = [json.loads(line) for line in (run_dir / "generations.jsonl").read_text().splitlines()]
    assert len(records) == 2 * limit and len({(r["task"], r["id"]) for r in records}) == 2 * limit
    by_prompt = {r["prompt"]: r for r in records}
    assert by_prompt[broken]["error"] == "api: HTTP 400: unsupported" and by_prompt[broken]["output"] == ""
    assert all(r["backend"] == "openai" and r["model"] == "served-model" for r in records)
    assert all(r["output"] == r["reference"] for r in records if r["task"] == "synth_helpful")

    metrics = json.loads((run_dir / "metrics.json").read_text())["judges"]["keywords"]
    asr = metrics["synth_harmful"]["metrics"]["attack_success"]["overall"]
    assert metrics["synth_harmful"]["errors"] == 1
    assert (asr["k"], asr["n"]) == (len(complies), limit - 1)
    assert metrics["synth_helpful"]["metrics"]["correct"]["overall"]["value"] == 1.0
    scores = [json.loads(line) for line in (run_dir / "scores" / "keywords.jsonl").read_text().splitlines()]
    assert len(scores) == 2 * limit

    # the secret went out in the header but is nowhere in the run directory, the output or the logs
    assert server.chat_requests[0].headers["authorization"] == f"Bearer {key}"
    for f in run_dir.rglob("*"):
        if f.is_file():
            assert key.encode() not in f.read_bytes(), f
    assert key not in caplog.text and key not in "".join(capsys.readouterr())
    assert KEY_ENV in (run_dir / "config.yaml").read_text()
