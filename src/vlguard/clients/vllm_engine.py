"""Generation with vLLM's offline engine (`pip install 'vlguard[vllm]'`, Linux with a CUDA GPU).

vLLM is imported only when this backend is built, so the rest of vlguard works without it. Prompts go
through `LLM.chat`, which applies the model's own chat template, in the OpenAI message format (the image
as a base64 PNG data URL in an `image_url` part, first in the first user turn, exactly as the openai
backend sends it). Decoding is greedy (`temperature=0`), with `max_tokens = max_new_tokens`.

`model` must be a full model (a folder or a hub id): vLLM serves LoRA adapters only through its own LoRA
requests, so merge an adapter first (`vlguard.train.saving.merge_adapter`). Samples go to the engine in
chunks of `chunk_size` (vLLM batches inside each chunk), so `on_batch` can save progress as it comes.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from vlguard.errors import VLGuardError
from vlguard.clients import Completion
from vlguard.clients.messages import image_data_url, openai_messages
from vlguard.schema import Sample

INSTALL_HINT = "the vllm backend needs vLLM: pip install 'vlguard[vllm]' (Linux with a CUDA GPU)"


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
        kwargs: dict[str, Any] = {"model": model, "dtype": dtype, "tensor_parallel_size": tensor_parallel_size,
                                  "gpu_memory_utilization": gpu_memory_utilization, "seed": seed, **llm_kwargs}
        if max_model_len is not None:
            kwargs["max_model_len"] = max_model_len
        self.llm = self._vllm.LLM(**kwargs)
        self.model = model
        self.max_new_tokens = max_new_tokens
        self.chunk_size = max(1, chunk_size)

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
                results[i] = Completion("", error=f"image: {e}")
                if on_batch:
                    on_batch([i], [results[i]])
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
