"""Turning samples into supervised features with the model's own chat template.

Loss is taken on assistant tokens only: the end-of-turn token that closes each assistant reply is
supervised too (so the model learns to stop); system and user text, image tokens and padding are masked.
The mask comes from character offsets of the assistant replies in the rendered conversation, so it works
with any chat template, with or without `{% generation %}` tags. A sample longer than `max_length` is
dropped and counted, never cut, so image tokens are never truncated away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from vlguard.clients.messages import processor_messages
from vlguard.errors import DataError
from vlguard.images import load_image
from vlguard.schema import Sample

IGNORE_INDEX = -100


def image_token_id(processor: Any) -> int | None:
    tid = getattr(processor, "image_token_id", None)
    if tid is None and getattr(processor, "image_token", None):
        tid = processor.tokenizer.convert_tokens_to_ids(processor.image_token)
    return tid


def assistant_char_spans(text: str, turns: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """Where each assistant reply sits in the rendered text.

    All turns are searched in order, so a reply quoted in an earlier user turn is never mistaken for it.
    """
    spans, pos = [], 0
    for role, content in turns:
        c = content.strip()
        if not c:
            continue
        start = text.find(c, pos)
        if start < 0:
            raise DataError(f"{role} turn not found verbatim in the rendered chat template")
        if role == "assistant":
            spans.append((start, start + len(c)))
        pos = start + len(c)
    return spans


@dataclass
class Encoded:
    input_ids: torch.Tensor
    labels: torch.Tensor
    token_extras: dict[str, torch.Tensor] = field(default_factory=dict)
    image_extras: dict[str, torch.Tensor] = field(default_factory=dict)
    # (image, image_root) when the pixels are not kept in memory and are re-read by the collator
    image_ref: tuple[str, str | None] | None = None

    @property
    def length(self) -> int:
        return int(self.input_ids.shape[0])

    @property
    def n_supervised(self) -> int:
        return int((self.labels != IGNORE_INDEX).sum())


class TooLong(Exception):
    """The sample does not fit in max_length without cutting it."""


def encode_sample(sample: Sample, processor: Any, max_length: int, image: Any = None) -> Encoded:
    """Tokenize one conversation (and its image) and build its assistant-only labels."""
    tok = processor.tokenizer
    with_image = image is not None
    text = processor.apply_chat_template(processor_messages(sample, with_image), tokenize=False)
    if isinstance(text, list):
        text = text[0]
    if not any(t.role == "assistant" for t in sample.messages):
        raise DataError(f"sample {sample.id}: no assistant turn to learn from")
    spans = assistant_char_spans(text, [(t.role, t.content) for t in sample.messages])

    plain = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = plain["input_ids"], plain["offset_mapping"]
    special = set(tok.all_special_ids)
    img_id = image_token_id(processor)
    mask = [False] * len(ids)
    for s, e in spans:
        inside = [j for j, (a, b) in enumerate(offsets) if b > s and a < e and ids[j] != img_id]
        for j in inside:
            mask[j] = True
        nxt = (inside[-1] + 1) if inside else None
        if nxt is not None and nxt < len(ids) and ids[nxt] in special and ids[nxt] != img_id:
            mask[nxt] = True  # the end-of-turn token: the model must learn to stop

    kwargs: dict[str, Any] = {"text": [text], "add_special_tokens": False, "return_tensors": "pt"}
    if with_image:
        kwargs["images"] = [image]
    out = processor(**kwargs)
    full = out["input_ids"][0]
    if full.shape[0] > max_length:
        raise TooLong(f"{full.shape[0]} tokens > max_length {max_length}")

    # Walk the plain and the image-expanded token streams together; image runs exist only in the latter.
    labels = torch.full_like(full, IGNORE_INDEX)
    j = 0
    for i, t in enumerate(ids):
        if img_id is not None and t == img_id:
            if j >= len(full) or int(full[j]) != img_id:
                raise DataError(f"sample {sample.id}: image tokens not where the template put them")
            while j < len(full) and int(full[j]) == img_id:
                j += 1
            continue
        if j >= len(full) or int(full[j]) != t:
            raise DataError(f"sample {sample.id}: processor tokens differ from tokenizer tokens at {j}")
        if mask[i]:
            labels[j] = t
        j += 1
    if j != len(full):
        raise DataError(f"sample {sample.id}: processor added {len(full) - j} unexpected tokens")

    token_extras, image_extras = {}, {}
    n = full.shape[0]
    for k, v in out.items():
        if k in ("input_ids", "attention_mask") or not isinstance(v, torch.Tensor):
            continue
        if v.dim() >= 2 and v.shape[0] == 1 and v.shape[1] == n and not k.startswith("pixel"):
            token_extras[k] = v[0]
        else:
            image_extras[k] = v
    return Encoded(full, labels, token_extras, image_extras)


@dataclass
class EncodeReport:
    kept: int = 0
    too_long: int = 0
    no_supervision: int = 0
    errors: list[str] = field(default_factory=list)


# Pixels of one image up to this size stay in memory after tokenization (the tiny 64 px images: 48 KB);
# larger ones (336 px LLaVA images: 1.3 MB) are re-read per batch, so a big mixture does not fill the RAM.
KEEP_PIXELS_BYTES = 256 * 1024


def _pixel_bytes(enc: Encoded) -> int:
    return sum(t.numel() * t.element_size() for t in enc.image_extras.values())


def encode_all(samples: list[Sample], processor: Any, max_length: int, progress: bool = False,
               keep_pixels: bool | None = None) -> tuple[list[Encoded], EncodeReport]:
    """Encode every sample; too-long or broken samples are dropped and counted, never cut.

    `keep_pixels=None` keeps image tensors in memory only when they are small (KEEP_PIXELS_BYTES);
    otherwise each sample keeps a reference and `Collator` re-reads the image for its batch.
    """
    from tqdm.auto import tqdm

    report = EncodeReport()
    encoded: list[Encoded] = []
    for s in tqdm(samples, desc="tokenizing", disable=not progress, unit="sample"):
        try:
            image = load_image(s.image, s.image_root) if s.image is not None else None
            enc = encode_sample(s, processor, max_length, image)
        except TooLong:
            report.too_long += 1
            continue
        except DataError as e:
            report.errors.append(f"{s.id}: {e}")
            continue
        if enc.n_supervised == 0:
            report.no_supervision += 1
            continue
        if enc.image_extras:
            if keep_pixels is None:
                keep_pixels = _pixel_bytes(enc) <= KEEP_PIXELS_BYTES
            if not keep_pixels:
                enc.image_extras, enc.image_ref = {}, (s.image, s.image_root)
        encoded.append(enc)
    report.kept = len(encoded)
    return encoded, report


class Collator:
    """`collate` for a DataLoader, re-reading the images of samples whose pixels were not kept."""

    def __init__(self, pad_id: int, processor: Any = None):
        self.pad_id, self.processor = pad_id, processor

    def __call__(self, batch: list[Encoded]) -> dict[str, torch.Tensor]:
        refs = [e.image_ref for e in batch if e.image_ref is not None]
        if refs:
            images = [load_image(ref, root) for ref, root in refs]
            pixels = self.processor.image_processor(images=images, return_tensors="pt")
            lazy = {k: v for k, v in pixels.items() if isinstance(v, torch.Tensor)}
            return collate(batch, self.pad_id, lazy)
        return collate(batch, self.pad_id)


def collate(batch: list[Encoded], pad_id: int, lazy_images: dict[str, torch.Tensor] | None = None
            ) -> dict[str, torch.Tensor]:
    """Right-pad a training batch; image tensors of the samples that have images are concatenated
    (`lazy_images`: the same tensors, computed for this batch by `Collator`)."""
    n = max(e.length for e in batch)
    input_ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), n), IGNORE_INDEX, dtype=torch.long)
    attn = torch.zeros((len(batch), n), dtype=torch.long)
    out: dict[str, torch.Tensor] = {}
    for i, e in enumerate(batch):
        input_ids[i, : e.length] = e.input_ids
        labels[i, : e.length] = e.labels
        attn[i, : e.length] = 1
    for k in {k for e in batch for k in e.token_extras}:
        t = torch.zeros((len(batch), n), dtype=batch[0].token_extras[k].dtype)
        for i, e in enumerate(batch):
            if k in e.token_extras:
                t[i, : e.length] = e.token_extras[k]
        out[k] = t
    for k in {k for e in batch for k in e.image_extras}:
        out[k] = torch.cat([e.image_extras[k] for e in batch if k in e.image_extras], dim=0)
    out.update(lazy_images or {})
    out.update(input_ids=input_ids, labels=labels, attention_mask=attn)
    return out
