"""What a run needs to know about how it was launched: one process, DDP, FSDP or DeepSpeed.

`accelerate launch` and `torchrun` start one copy of the run per process; accelerate reads the launcher's
settings from the environment. These helpers fill in what the launcher's config leaves to the script (batch
size, clipping, which layers FSDP wraps), sum per-process numbers for logging, and end the process group.
"""

from __future__ import annotations

import gc
import os
from typing import Any

import torch

from vlguard.errors import ConfigError


def launched_processes() -> int:
    """How many processes the launcher started (1 when run directly)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def _has_accelerator_device() -> bool:
    acc = getattr(torch, "accelerator", None)
    return bool(acc.is_available()) if acc is not None else torch.cuda.is_available()


def use_cpu(device: str | None) -> bool:
    """Whether to train on the CPU.

    Several processes launched on a machine without GPUs (`accelerate launch --multi_gpu` or `torchrun`)
    train together on the CPU over gloo; left to itself, accelerate would start unconnected single-process
    runs that all write to the same output_dir.
    """
    if device is not None:
        return device == "cpu"
    return launched_processes() > 1 and not _has_accelerator_device()


def check_world(accelerator: Any) -> None:
    if launched_processes() > 1 and accelerator.num_processes == 1:
        raise ConfigError(f"launched as {launched_processes()} processes but accelerate set up no process group "
                          "(set device: cpu to train them together on the CPU)")


def is_sharded(accelerator: Any) -> bool:
    """FSDP and DeepSpeed shard weights or optimizer state: saving goes through accelerate collectively."""
    return accelerator.distributed_type.name in ("FSDP", "DEEPSPEED")


def is_fsdp(accelerator: Any) -> bool:
    return accelerator.distributed_type.name == "FSDP"


def fit_launcher_config(accelerator: Any, model: Any, batch_size: int, max_grad_norm: float) -> None:
    """Fill what an FSDP or DeepSpeed launcher config leaves open; call before `accelerator.prepare`.

    FSDP: the layer classes to wrap are narrowed to those in this model, so one config names both LLaMA and
    Qwen2-VL layers (accelerate refuses a class the model lacks). DeepSpeed: its "auto" micro-batch size
    cannot be read from a loader with a batch sampler, and "auto" clipping would ignore optim.max_grad_norm.
    """
    fsdp = getattr(accelerator.state, "fsdp_plugin", None)
    if fsdp is not None and getattr(fsdp.auto_wrap_policy, "__name__", "") == "transformer_auto_wrap_policy":
        wanted = list(fsdp.transformer_cls_names_to_wrap or getattr(model, "_no_split_modules", None) or [])
        present = {type(m).__name__ for m in model.modules()}
        kept = [n for n in wanted if n in present]
        if not kept:
            raise ConfigError(f"fsdp: none of the layer classes {wanted} is in this model "
                              "(pass --fsdp_transformer_layer_cls_to_wrap to accelerate launch)")
        fsdp.transformer_cls_names_to_wrap = kept
    ds = getattr(accelerator.state, "deepspeed_plugin", None)
    if ds is not None:
        conf = ds.deepspeed_config
        if conf.get("train_micro_batch_size_per_gpu", "auto") == "auto":
            conf["train_micro_batch_size_per_gpu"] = batch_size
        if conf.get("gradient_clipping") == "auto":
            conf["gradient_clipping"] = max_grad_norm


def sum_over_processes(accelerator: Any, *values: float) -> tuple[float, ...]:
    """Each value summed over all processes (as is with one process). A collective: every process calls it."""
    if accelerator.num_processes == 1:
        return values
    t = torch.tensor(values, dtype=torch.float64, device=accelerator.device)
    return tuple(float(v) for v in accelerator.reduce(t, reduction="sum"))


def leave_process_group() -> None:
    """End this process's part in a multi-process run (nothing to do with one process).

    Call it once training is over, outside any `except` block that still holds the run's frames. A gloo group
    left alive at interpreter exit, or destroyed while a DDP wrapper still holds it, can abort a process
    ("terminate called without an active exception") and so fail a launch whose training succeeded.
    """
    import torch.distributed as td

    if not (td.is_available() and td.is_initialized()):
        return
    gc.collect()  # the DDP wrapper and its reducer go first: they hold the group
    td.destroy_process_group()
