"""Periodic training checkpoints, written atomically, and resuming from the last one.

A checkpoint holds the trainable weights only (the LoRA adapter, or every unfrozen weight), the optimizer
and scheduler state, the RNG states of every process, and where in the data order training stood. It is
written to a temporary folder and renamed into place, so a kill never leaves a half checkpoint behind.
Under FSDP or DeepSpeed, accelerate's own sharded state saving is used instead.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vlguard.errors import VLGuardError
from vlguard.train.distributed import is_sharded

PREFIX = "step-"


@dataclass
class TrainState:
    global_step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0  # micro-batches of `epoch` already consumed
    tokens_seen: int = 0
    seconds: float = 0.0
    processes: int = 1  # batch_in_epoch counts one process's share of the batches


def _rng_state() -> dict[str, Any]:
    st = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        st["cuda"] = torch.cuda.get_rng_state_all()
    return st


def set_rng_state(st: dict[str, Any]) -> None:
    random.setstate(st["python"])
    np.random.set_state(st["numpy"])
    torch.set_rng_state(st["torch"])
    if "cuda" in st and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(st["cuda"])


def trainable_state(model: Any) -> dict[str, torch.Tensor]:
    return {n: p.detach().cpu().clone() for n, p in model.named_parameters() if p.requires_grad}


def list_checkpoints(ckpt_dir: Path) -> list[Path]:
    if not ckpt_dir.is_dir():
        return []
    found = [p for p in ckpt_dir.iterdir() if p.is_dir() and p.name.startswith(PREFIX)
             and p.name[len(PREFIX):].isdigit() and (p / "state.json").is_file()]
    return sorted(found, key=lambda p: int(p.name[len(PREFIX):]))


def _save(obj: Any, path: Path) -> None:
    # a full or read-only disk: torch reports it as a RuntimeError from its zip writer, without the path
    try:
        torch.save(obj, path)
    except (OSError, RuntimeError) as e:
        text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise VLGuardError(f"{path}: cannot write the checkpoint: {text}") from e


def save_checkpoint(accelerator: Any, model: Any, optimizer: Any, scheduler: Any, state: TrainState,
                    ckpt_dir: Path, keep: int = 2) -> Path:
    """Write a checkpoint for `state.global_step`, atomically; prune all but the newest `keep`."""
    final = ckpt_dir / f"{PREFIX}{state.global_step:08d}"
    tmp = ckpt_dir / f".tmp-{PREFIX}{state.global_step:08d}"
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    accelerator.wait_for_everyone()
    if is_sharded(accelerator):
        accelerator.save_state(str(tmp))
    elif accelerator.is_main_process:
        unwrapped = accelerator.unwrap_model(model)
        _save(trainable_state(unwrapped), tmp / "trainable.pt")
        _save(optimizer.state_dict(), tmp / "optimizer.pt")
    _save(_rng_state(), tmp / f"rng-{accelerator.process_index}.pt")
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        _save(scheduler.state_dict(), tmp / "scheduler.pt")
        (tmp / "state.json").write_text(json.dumps(asdict(state), indent=2))
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        for old in list_checkpoints(ckpt_dir)[:-keep] if keep > 0 else []:
            shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()
    return final


class CheckpointError(VLGuardError):
    """A checkpoint that cannot be read back (truncated, corrupt, or not of this model)."""


def _read(path: Path, what: str, **kw: Any) -> Any:
    try:
        return torch.load(path / what, map_location="cpu", **kw)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: {what} is missing") from None
    except Exception as e:  # torch.load's errors on a cut file are many (EOFError, RuntimeError, pickle's)
        raise CheckpointError(f"{path}: {what} is truncated or corrupt ({type(e).__name__})") from None


def _read_state(path: Path) -> TrainState:
    try:
        return TrainState(**json.loads((path / "state.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as e:
        raise CheckpointError(f"{path}: state.json is unreadable ({type(e).__name__})") from None


def load_checkpoint(accelerator: Any, model: Any, optimizer: Any, scheduler: Any, path: Path) -> TrainState:
    """Restore weights, optimizer, scheduler and RNG from `path`; returns where training stood.

    Every file is read before anything is restored, so a checkpoint that raises CheckpointError has
    changed nothing and an older one can be loaded instead."""
    state = _read_state(path)
    sched = _read(path, "scheduler.pt", weights_only=False)
    rng_file = f"rng-{accelerator.process_index}.pt"
    rng = _read(path, rng_file, weights_only=False) if (path / rng_file).is_file() else None
    if is_sharded(accelerator):
        try:
            accelerator.load_state(str(path))
        except Exception as e:
            raise CheckpointError(f"{path}: the sharded state cannot be loaded ({type(e).__name__}: {e})") from e
    else:
        unwrapped = accelerator.unwrap_model(model)
        weights = _read(path, "trainable.pt", weights_only=True)
        optim_state = _read(path, "optimizer.pt", weights_only=False)
        params = dict(unwrapped.named_parameters())
        missing = [n for n in weights if n not in params]
        if missing:
            raise CheckpointError(f"checkpoint {path} does not fit this model (e.g. {missing[0]})")
        with torch.no_grad():
            for n, t in weights.items():
                params[n].copy_(t.to(params[n].device, params[n].dtype))
        optimizer.load_state_dict(optim_state)
    scheduler.load_state_dict(sched)
    if rng is not None:
        set_rng_state(rng)
    return state
