"""`vlguard train CONFIG.yaml [key=value ...] [--resume]`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from vlguard.cli import console


def train_command(
    config: Path = typer.Argument(..., help="Training config (YAML); see configs/train/."),
    overrides: Optional[List[str]] = typer.Argument(None, help="key=value overrides, e.g. optim.lr=1e-4 data.helpfulness_samples=0"),
    resume: bool = typer.Option(False, "--resume", help="Continue the same run from the last checkpoint in output_dir."),
    force: bool = typer.Option(False, "--force", help="Start over in an output_dir that holds an earlier run "
                                                      "(its metrics, checkpoints and models are removed)."),
) -> None:
    """Safety fine-tune an image-text-to-text model (post-hoc or mixed; LoRA or full)."""
    from accelerate import PartialState

    from vlguard.config import load_config
    from vlguard.train.config import TrainConfig
    from vlguard.train.distributed import leave_process_group
    from vlguard.train.loop import train

    cfg = load_config(TrainConfig, config, overrides or [])
    res = train(cfg, resume=resume, force=force, log=lambda m: console.print(m, highlight=False, markup=False))
    main = PartialState().is_main_process  # under accelerate launch / torchrun every process gets here
    leave_process_group()
    if not main:
        return
    console.print(f"[green]done[/]: {res.steps} steps in {res.seconds:.1f}s, loss {res.first_loss} -> "
                  f"{res.final_loss}, {res.tokens_per_s:,.0f} tokens/s; saved {res.final_dir}")
