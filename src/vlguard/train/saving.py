"""Saving a trained model (adapter or full) with its processor, and merging an adapter into its base."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from vlguard.errors import VLGuardError
from vlguard.fileio import check_output
from vlguard.models.layout import save_for_peers


def _save_processor(processor: Any, out: Path) -> None:
    from vlguard.models.tiny_qwen2vl import ImageOnlyQwen2VLProcessor

    processor.save_pretrained(out)
    if isinstance(processor, ImageOnlyQwen2VLProcessor):
        # the loader needs this marker to rebuild a processor that has no video half
        (out / "vlguard_tiny.json").write_text(json.dumps({"processor": "ImageOnlyQwen2VLProcessor"}))


def save_final(model: Any, processor: Any, out: Path, cfg: Any, state_dict: dict | None = None) -> None:
    """Write the adapter (LoRA) or the whole model (full) plus the processor, atomically by rename.

    `state_dict` is the full state gathered from sharded weights (FSDP, DeepSpeed), when there are any.
    """
    tmp = out.with_name(f".tmp-{out.name}")
    shutil.rmtree(tmp, ignore_errors=True)
    # a full model gets the llava-hf layout vLLM reads (an adapter has no config.json and is left as saved)
    if state_dict is not None:
        save_for_peers(model, tmp, state_dict=state_dict)
    else:
        save_for_peers(model, tmp)
    _save_processor(processor, tmp)
    (tmp / "vlguard_train.json").write_text(json.dumps({"base_model": cfg.model, "method": cfg.method}, indent=2))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def is_adapter(path: str | Path) -> bool:
    return (Path(path) / "adapter_config.json").is_file()


def adapter_base(path: str | Path) -> str:
    """The base model an adapter was trained on (from its adapter_config.json)."""
    from vlguard.models.loading import adapter_base_name

    return adapter_base_name(path)


def merge_adapter(adapter: str | Path, out: str | Path, base: str | None = None, force: bool = False) -> Path:
    """Merge a LoRA adapter into its base model and save a standalone model folder."""
    from peft import PeftModel

    from vlguard.models.loading import check_model, check_model_files, load_model_and_processor

    adapter, out = Path(adapter), Path(out)
    if not is_adapter(adapter):
        raise VLGuardError(f"{adapter}: not a LoRA adapter folder (no adapter_config.json)")
    check_output(out, force, folder=True)
    check_model_files(adapter)
    check_model(base or adapter_base(adapter))
    base_model, processor = load_model_and_processor(base or adapter_base(adapter), dtype="float32")
    try:
        merged = PeftModel.from_pretrained(base_model, str(adapter)).merge_and_unload()
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as e:
        raise VLGuardError(f"{adapter}: cannot merge it into {base or adapter_base(adapter)}: "
                           f"{str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__}") from e
    tmp = out.with_name(f".tmp-{out.name}")
    shutil.rmtree(tmp, ignore_errors=True)
    save_for_peers(merged, tmp)  # the llava-hf layout, so vLLM loads merged models too
    _save_processor(processor, tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out
