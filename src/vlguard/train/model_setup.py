"""Preparing a loaded model for training: LoRA through PEFT or full fine-tuning, frozen vision tower."""

from __future__ import annotations

from typing import Any

from vlguard.errors import ConfigError
from vlguard.train.config import TrainConfig

# The language model's attention and MLP projections, never the vision tower (CLIP also has q/k/v_proj).
LM_PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
VISION_PARTS = ("vision_tower", "visual", "vision_model", "image_encoder")
PROJECTOR_PARTS = ("multi_modal_projector", "merger", "mm_projector", "connector")


def default_lora_targets() -> str:
    """A regex over module names: projections inside the language model only."""
    return r".*language_model.*\.(" + "|".join(LM_PROJECTIONS) + r")$"


def _is_vision(name: str) -> bool:
    return any(p in name.split(".") for p in VISION_PARTS) and not _is_projector(name)


def _is_projector(name: str) -> bool:
    return any(p in name.split(".") for p in PROJECTOR_PARTS)


def projector_module_names(model: Any) -> list[str]:
    """Top-most projector modules (LLaVA's multi_modal_projector, Qwen2-VL's merger)."""
    names: list[str] = []
    for name, _ in model.named_modules():
        last = name.split(".")[-1]
        if last in PROJECTOR_PARTS and not any(name.startswith(n + ".") for n in names):
            names.append(name)
    return names


def prepare_model(model: Any, cfg: TrainConfig) -> Any:
    """Wrap with LoRA or unfreeze for full fine-tuning; returns the model to train."""
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.config.use_cache = False
    if cfg.method == "lora":
        from peft import LoraConfig, get_peft_model

        targets = cfg.lora.target_modules or default_lora_targets()
        modules_to_save = None
        if cfg.lora.train_projector:
            modules_to_save = [n.split(".")[-1] for n in projector_module_names(model)]
        lcfg = LoraConfig(r=cfg.lora.r, lora_alpha=cfg.lora.alpha, lora_dropout=cfg.lora.dropout,
                          target_modules=targets, modules_to_save=modules_to_save, task_type="CAUSAL_LM")
        try:
            model = get_peft_model(model, lcfg)
        except ValueError as e:
            raise ConfigError(f"lora.target_modules: {e}") from None
        if not cfg.freeze_vision:
            for name, p in model.named_parameters():
                if _is_vision(name):
                    p.requires_grad_(True)
        return model
    for name, p in model.named_parameters():
        p.requires_grad_(not (cfg.freeze_vision and _is_vision(name)))
    return model


def trainable_summary(model: Any) -> dict[str, int]:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"total_params": total, "trainable_params": trainable}
