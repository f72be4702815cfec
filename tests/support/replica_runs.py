"""The shipped 7B training configs, run for a few steps on tiny replicas of their models (see
`vlguard.models.replicas`) and on SynthGuard in place of VLGuard and LLaVA's instruction data.

Everything else stays as shipped: LoRA rank and targets, learning rate and schedule, max_length, gradient
checkpointing, length grouping, precision (bf16 autocast runs on a CPU too, slowly), the mixing strategy.
The batch is cut to 2 and the run to a few steps; checkpoints come every 2 steps so that resume is exercised.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# tests/support/ is in the repository itself (never installed), so the shipped configs are two folders up
REPO = Path(__file__).resolve().parents[2]
# shipped config -> the replica of its model
SHIPPED = {"llava15_7b_posthoc_lora": "llava-1.5", "llava15_7b_mixed": "llava-1.5",
           "qwen2vl_7b_posthoc_lora": "qwen2-vl"}


def shipped_config(name: str) -> Path:
    return REPO / "configs" / "train" / f"{name}.yaml"


def _swap_sources(sources: list[dict[str, Any]], world: Path) -> list[dict[str, Any]]:
    """VLGuard files become SynthGuard's train.json, LLaVA instruction files its vl_instruct.json."""
    out = []
    for src in sources:
        if src.get("format", "vlguard") == "vlguard":
            out.append({"path": str(world / "train.json"), "format": "vlguard"})
        else:
            out.append({"path": str(world / "vl_instruct.json"), "format": "llava"})
    return out


def replica_config_dict(name: str, replica: str | os.PathLike, world: str | os.PathLike,
                        out: str | os.PathLike, steps: int = 4) -> dict[str, Any]:
    """The shipped config `name` as a dict, with model, data, output, batch and length of run swapped."""
    from vlguard.config import read_yaml

    data = read_yaml(shipped_config(name))
    world = Path(world)
    data["model"], data["output_dir"] = str(replica), str(out)
    for key in ("safety", "helpfulness", "instruction"):
        if data["data"].get(key):
            data["data"][key] = _swap_sources(data["data"][key], world)
    if data["data"].get("helpfulness_samples"):
        data["data"]["helpfulness_samples"] = 8  # of 5000: SynthGuard's VL set is small
    data["optim"].update({"max_steps": steps, "batch_size": 2})
    data.update({"save_every": 2, "log_every": 1, "progress": False})
    return data


def train_replica(name: str, replica: str | os.PathLike, world: str | os.PathLike, out: str | os.PathLike,
                  steps: int = 4, stop_after: int | None = None, resume: bool = False, log: Any = None):
    """Train the shipped config `name` on `replica` for `steps` steps (optionally stopped or resumed)."""
    from vlguard.config import from_dict
    from vlguard.train.callbacks import StopAfterSteps
    from vlguard.train.config import TrainConfig
    from vlguard.train.loop import train

    cfg = from_dict(TrainConfig, replica_config_dict(name, replica, world, out, steps))
    callbacks = [StopAfterSteps(stop_after)] if stop_after else []
    reset_accelerate()  # an earlier run in this process may have fixed another precision
    try:
        return train(cfg, resume=resume, callbacks=callbacks, log=log or (lambda m: None))
    finally:
        reset_accelerate()


def reset_accelerate() -> None:
    """Forget accelerate's process-wide state (the shipped configs' bf16 mixed precision), so that a later
    run in the same test process may choose another: accelerate refuses to change it once set."""
    from accelerate.state import AcceleratorState

    AcceleratorState._reset_state(reset_partial_state=True)
