"""A training run's output_dir: what may already be there, and what the run records about itself.

A run writes metrics.jsonl, checkpoints/, the adapter or model, train_summary.json, config.yaml,
composition.json and run.json (its fingerprint: `run_settings`). A new run refuses a folder holding an
earlier run's files, a resumed one must be the same run, and `force` removes them first; nothing is written
before `start_run_dir`, once the model is loaded and the data tokenized.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vlguard.fileio import write_json
from vlguard.rundir import MANIFEST, claim, clear, write_manifest
from vlguard.train.config import TrainConfig, check_paths

# What a training run writes into output_dir: an earlier run's files block a new run there (unless resuming
# that run, or with force, which removes them all first).
RUN_FILES = (MANIFEST, "metrics.jsonl", "checkpoints", "adapter", "model", "train_summary.json",
             "config.yaml", "composition.json")
OWN_FILES = RUN_FILES[:6]  # config.yaml and composition.json alone are what a failed older version left


def run_settings(cfg: TrainConfig) -> dict[str, Any]:
    """What determines a training run's outputs: the config but for where it goes and how it shows progress."""
    from vlguard.config import to_dict

    settings = to_dict(cfg)
    for key in ("output_dir", "progress", "num_threads", "keep_checkpoints"):
        settings.pop(key, None)
    return settings


def check_config(cfg: TrainConfig, resume: bool, force: bool = False) -> Path:
    """Every value in range, the config's files and model there, and output_dir free for this run: it holds
    no earlier run's files unless resuming that same run, or `force` (see `start_run_dir`). Writes nothing."""
    from vlguard.config import check_ranges
    from vlguard.models.loading import check_model

    check_ranges(cfg)
    out = claim(cfg.output_dir, "train", run_settings(cfg), OWN_FILES, resume=resume, force=force)
    check_paths(cfg)
    check_model(cfg.model)
    return out


def start_run_dir(cfg: TrainConfig, accelerator: Any, comp: dict, force: bool) -> None:
    """The first write of a run, once everything is set up: with `force` the earlier run's files go, then
    config.yaml, composition.json and run.json (the run's fingerprint) are written, on the main process."""
    if accelerator.is_main_process:
        from vlguard.config import dump_yaml

        out = Path(cfg.output_dir)
        if force:
            clear(out, RUN_FILES)
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.yaml").write_text(dump_yaml(cfg))
        write_json(out / "composition.json", comp)
        write_manifest(out, "train", run_settings(cfg))
    accelerator.wait_for_everyone()
