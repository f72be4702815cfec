"""Batched greedy generation with transformers: left padding, batches sorted by length.

Batched outputs equal unbatched ones only with left padding; sorting by prompt length keeps padding (and
wasted compute) small. A sample whose image cannot be loaded gets an error completion; the rest go on.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import torch

from vlguard.clients import Completion
from vlguard.clients.messages import processor_messages
from vlguard.images import load_image
from vlguard.schema import Sample


class HFBackend:
    """Generate with any model `load_model_and_processor` loads (a folder, a hub id, or a LoRA adapter)."""

    name = "hf"

    def __init__(self, model: str | None = None, batch_size: int = 32, max_new_tokens: int = 256,
                 dtype: str = "auto", device: str | None = None, model_obj: Any = None, processor: Any = None):
        from vlguard.models.loading import load_model_and_processor

        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if model_obj is None:
            if model is None:
                raise TypeError("HFBackend needs a model (a folder or hub id) or model_obj")
            model_obj, processor = load_model_and_processor(model, dtype=dtype, device=device)
        self.model, self.processor = model_obj.eval(), processor
        self.processor.tokenizer.padding_side = "left"
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self.device = next(self.model.parameters()).device

    def _prompt(self, sample: Sample, with_image: bool) -> str:
        text = self.processor.apply_chat_template(
            processor_messages(_prompt_only(sample), with_image), tokenize=False, add_generation_prompt=True)
        return text[0] if isinstance(text, list) else text

    def generate(self, samples: list[Sample], on_batch: Callable[[list[int], list[Completion]], None] | None = None
                 ) -> list[Completion]:
        """Completions in the order of `samples`. `on_batch(indices, completions)` is called after each
        batch, so a caller can write results to disk as they come."""
        results: list[Completion | None] = [None] * len(samples)
        prepared: list[tuple[int, str, Any]] = []
        for i, s in enumerate(samples):
            try:
                image = load_image(s.image, s.image_root) if s.image is not None else None
            except Exception as e:  # a missing or broken image fails this sample only
                results[i] = failed = Completion("", error=f"image: {e}")
                if on_batch:
                    on_batch([i], [failed])
                continue
            prepared.append((i, self._prompt(s, image is not None), image))
        tok = self.processor.tokenizer
        prepared.sort(key=lambda p: len(tok(p[1], add_special_tokens=False)["input_ids"]), reverse=True)
        for start in range(0, len(prepared), self.batch_size):
            chunk = prepared[start:start + self.batch_size]
            t0 = time.perf_counter()
            try:
                texts = self._generate_batch(chunk)
                errs: list[str | None] = [None] * len(chunk)
            except Exception as e:  # one broken batch must not cost the whole run
                texts, errs = [""] * len(chunk), [f"generation: {type(e).__name__}: {e}"] * len(chunk)
            dt = (time.perf_counter() - t0) / max(len(chunk), 1)
            done = [Completion(t, error=err, seconds=dt) for t, err in zip(texts, errs)]
            for (i, _, _), c in zip(chunk, done):
                results[i] = c
            if on_batch:
                on_batch([i for i, _, _ in chunk], done)
        return [r if r is not None else Completion("", error="not generated") for r in results]

    @torch.no_grad()
    def _generate_batch(self, chunk: list[tuple[int, str, Any]]) -> list[str]:
        texts = [p for _, p, _ in chunk]
        images = [im for _, _, im in chunk if im is not None]
        kwargs: dict[str, Any] = {"text": texts, "return_tensors": "pt", "padding": True, "add_special_tokens": False}
        if images:
            kwargs["images"] = images
        inputs = self.processor(**kwargs).to(self.device)
        out = self.model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False,
                                  pad_token_id=self.processor.tokenizer.pad_token_id)
        new = out[:, inputs["input_ids"].shape[1]:]
        return [t.strip() for t in self.processor.tokenizer.batch_decode(new, skip_special_tokens=True)]


def _prompt_only(sample: Sample) -> Sample:
    from dataclasses import replace

    return replace(sample, messages=sample.prompt_messages)
