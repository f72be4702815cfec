"""The vllm backend without vLLM: a clear install hint, no import at import time, and the engine calls made
(checked against a stand-in `vllm` module that records them)."""

from __future__ import annotations

import importlib
import sys
import types
from dataclasses import dataclass

import pytest
from PIL import Image

from vlguard.clients import make_backend
from vlguard.errors import VLGuardError
from vlguard.schema import Sample, Turn


def test_module_imports_without_vllm_and_construction_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)  # `import vllm` now raises ImportError
    mod = importlib.reload(importlib.import_module("vlguard.clients.vllm_engine"))
    with pytest.raises(VLGuardError, match=r"pip install 'vlguard\[vllm\]'"):
        mod.VLLMBackend("some/model")
    with pytest.raises(VLGuardError, match="vllm"):
        make_backend("vllm", model="some/model", max_new_tokens=8)


@dataclass
class _Params:
    temperature: float
    max_tokens: int


def _fake_vllm(calls: list):
    class LLM:
        def __init__(self, **kw):
            calls.append(("init", kw))

        def chat(self, conversations, sampling_params=None, use_tqdm=True):
            calls.append(("chat", conversations, sampling_params))
            if any(c[-1]["content"] == "explode" for c in conversations):
                raise RuntimeError("engine died")
            return [types.SimpleNamespace(outputs=[types.SimpleNamespace(text=f" reply {len(c)} ")])
                    for c in conversations]

    return types.SimpleNamespace(LLM=LLM, SamplingParams=_Params)


def test_generate_chats_in_chunks_with_greedy_params_and_data_url_images(tmp_path, monkeypatch):
    Image.new("RGB", (4, 4), "blue").save(tmp_path / "b.png")
    calls: list = []
    monkeypatch.setitem(sys.modules, "vllm", _fake_vllm(calls))
    from vlguard.clients.vllm_engine import VLLMBackend

    monkeypatch.setattr("vlguard.clients.vllm_engine.on_cpu", lambda: False)
    b = VLLMBackend("org/model", max_new_tokens=64, chunk_size=2, max_model_len=2048)
    assert calls[0] == ("init", {"model": "org/model", "dtype": "auto", "tensor_parallel_size": 1,
                                 "gpu_memory_utilization": 0.9, "seed": 0, "max_model_len": 2048})
    samples = [
        Sample(id="a", messages=(Turn("user", "colour?"),), image="b.png", image_root=str(tmp_path)),
        Sample(id="b", messages=(Turn("user", "missing image"),), image="nope.png", image_root=str(tmp_path)),
        Sample(id="c", messages=(Turn("user", "x"), Turn("assistant", "y"), Turn("user", "z"))),
        Sample(id="d", messages=(Turn("user", "explode"),)),
    ]
    b.max_new_tokens = 12  # the eval run sets this per task
    batches: list = []
    out = b.generate(samples, on_batch=lambda idx, comps: batches.append(idx))
    assert [c.text for c in out] == ["reply 1", "", "reply 3", ""]
    assert out[1].error.startswith("image:") and "engine died" in out[3].error
    assert batches == [[1], [0, 2], [3]]
    chats = [c for c in calls if c[0] == "chat"]
    assert chats[0][2] == _Params(temperature=0.0, max_tokens=12)
    first = chats[0][1][0][0]["content"]
    assert first[0]["image_url"]["url"].startswith("data:image/png;base64,") and first[1]["text"] == "colour?"


def test_on_cpu_auto_means_float32_and_eager_and_engine_options_pass_through(monkeypatch):
    calls: list = []
    monkeypatch.setitem(sys.modules, "vllm", _fake_vllm(calls))
    from vlguard.clients import vllm_engine

    monkeypatch.setattr(vllm_engine, "on_cpu", lambda: True)
    monkeypatch.delenv("VLLM_CPU_KVCACHE_SPACE", raising=False)
    vllm_engine.VLLMBackend("org/model")
    assert calls[-1][1]["dtype"] == "float32" and calls[-1][1]["enforce_eager"] is True
    assert calls[-1][1]["kv_cache_memory_bytes"] == 1 << 30  # not 90% of the machine's memory
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "2")
    vllm_engine.VLLMBackend("org/model")
    assert "kv_cache_memory_bytes" not in calls[-1][1]  # the user's setting wins
    vllm_engine.VLLMBackend("org/model", dtype="bfloat16", enforce_eager=False, limit_mm_per_prompt={"image": 1})
    assert calls[-1][1]["dtype"] == "bfloat16" and calls[-1][1]["enforce_eager"] is False
    assert calls[-1][1]["limit_mm_per_prompt"] == {"image": 1}
    monkeypatch.setattr(vllm_engine, "on_cpu", lambda: False)
    vllm_engine.VLLMBackend("org/model")
    assert calls[-1][1]["dtype"] == "auto" and "enforce_eager" not in calls[-1][1]


def test_eval_config_passes_dtype_and_engine_options_to_the_vllm_backend(monkeypatch):
    from vlguard.eval.run import EvalConfig, make_eval_backend

    seen: dict = {}
    monkeypatch.setitem(__import__("vlguard.clients", fromlist=["BACKENDS"]).BACKENDS, "vllm",
                        lambda **kw: seen.update(kw))
    make_eval_backend(EvalConfig(model="m", tasks=[], output_dir="o", backend="vllm", dtype="float32",
                                 engine_options={"max_model_len": 4096}))
    assert seen == {"model": "m", "max_new_tokens": 256, "dtype": "float32", "max_model_len": 4096}


def test_an_old_layout_llava_folder_is_refused_with_the_fix(tmp_path, monkeypatch):
    import json

    import torch
    from safetensors.torch import save_file

    calls: list = []
    monkeypatch.setitem(sys.modules, "vllm", _fake_vllm(calls))
    from vlguard.clients.vllm_engine import VLLMBackend

    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llava"}))
    save_file({"vision_tower.embeddings.patch_embedding.weight": torch.zeros(2)}, str(tmp_path / "model.safetensors"))
    with pytest.raises(VLGuardError, match="to_llava_hf_layout"):
        VLLMBackend(str(tmp_path))
    assert calls == []


def _platform(is_cpu) -> types.ModuleType:
    """A stand-in `vllm` package whose `vllm.platforms.current_platform.is_cpu` is `is_cpu`."""
    vllm = types.ModuleType("vllm")
    vllm.__path__ = []  # a package, so that `vllm.platforms` is looked up in sys.modules
    platforms = types.ModuleType("vllm.platforms")
    platforms.current_platform = types.SimpleNamespace(is_cpu=is_cpu)
    vllm.platforms = platforms
    return vllm


def test_on_cpu_falls_back_to_torch_only_when_vllm_cannot_tell_and_says_so(monkeypatch, caplog):
    from vlguard.clients import vllm_engine

    monkeypatch.setitem(sys.modules, "vllm", _platform(lambda: True))
    monkeypatch.setitem(sys.modules, "vllm.platforms", sys.modules["vllm"].platforms)
    assert vllm_engine.on_cpu() is True and not caplog.records

    def broken():
        raise RuntimeError("no device found")

    sys.modules["vllm.platforms"].current_platform = types.SimpleNamespace(is_cpu=broken)
    with pytest.raises(RuntimeError, match="no device found"):  # vLLM's own error is not hidden
        vllm_engine.on_cpu()
    monkeypatch.setitem(sys.modules, "vllm", _fake_vllm([]))  # no vllm.platforms: an older vLLM
    monkeypatch.delitem(sys.modules, "vllm.platforms")
    import torch

    with caplog.at_level("WARNING", logger="vlguard.clients.vllm_engine"):
        assert vllm_engine.on_cpu() is (not torch.cuda.is_available())
    assert "cannot tell where vLLM runs (ModuleNotFoundError" in caplog.text
