"""The typed training config that `vlguard train CONFIG.yaml [key=value ...]` reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

from vlguard.errors import ConfigError

SourceFormat = Literal["vlguard", "llava", "sharegpt", "messages", "alpaca"]
SEED = "[0, 4294967295]"  # numpy's seeds are 32-bit


@dataclass
class SourceConfig:
    """One data source. `count` or `fraction` subsamples it (seeded); neither means all of it."""

    RANGES: ClassVar[dict[str, str]] = {"count": ">= 0", "fraction": "[0, 1]", "seed": SEED}

    path: str
    format: SourceFormat = "vlguard"
    image_root: str | None = None
    count: int | None = None
    fraction: float | None = None
    seed: int = 0
    name: str | None = None

    def __post_init__(self) -> None:
        if self.count is not None and self.fraction is not None:
            raise ValueError(f"source {self.path}: give count or fraction, not both")


@dataclass
class DataConfig:
    """The training mixture.

    posthoc: all `safety` sources + `helpfulness_samples` rows drawn from the `helpfulness` sources
             (0 = the paper's safety-only variant; None = all of them) + all `instruction` sources (data
             to take whole rather than sample, e.g. a small set of borderline benign requests).
    mixed:   all `instruction` sources (the original instruction data) + `safety` sources, subsampled so
             that safety makes up `safety_ratio` of the mixture (None = all safety data).
    custom:  every source in `safety`, `helpfulness` and `instruction` as given.
    """

    RANGES: ClassVar[dict[str, str]] = {"helpfulness_samples": ">= 0", "safety_ratio": "(0, 1)", "seed": SEED}

    strategy: Literal["posthoc", "mixed", "custom"] = "posthoc"
    safety: list[SourceConfig] = field(default_factory=list)
    helpfulness: list[SourceConfig] = field(default_factory=list)
    instruction: list[SourceConfig] = field(default_factory=list)
    helpfulness_samples: int | None = None
    safety_ratio: float | None = None
    seed: int = 0


@dataclass
class LoraConfig:
    RANGES: ClassVar[dict[str, str]] = {"r": ">= 1", "alpha": "> 0", "dropout": "[0, 1)"}

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    # None = the language model's attention and MLP projections (never the vision tower).
    target_modules: list[str] | str | None = None
    train_projector: bool = False


@dataclass
class OptimConfig:
    RANGES: ClassVar[dict[str, str]] = {
        "lr": "> 0", "weight_decay": ">= 0", "epochs": "> 0", "max_steps": ">= 1", "batch_size": ">= 1",
        "grad_accum": ">= 1", "warmup_ratio": "[0, 1]", "max_grad_norm": ">= 0",  # 0: no clipping
        "adam_beta1": "[0, 1)", "adam_beta2": "[0, 1)"}

    lr: float = 2e-4
    weight_decay: float = 0.0
    epochs: float = 1.0
    max_steps: int | None = None
    batch_size: int = 16
    grad_accum: int = 1
    warmup_ratio: float = 0.03
    schedule: Literal["cosine", "linear", "constant"] = "cosine"
    max_grad_norm: float = 1.0
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999


@dataclass
class TrainConfig:
    """Everything one training run needs. Paths are relative to the working directory."""

    RANGES: ClassVar[dict[str, str]] = {
        "max_length": ">= 1", "save_every": ">= 0", "keep_checkpoints": ">= 0",  # 0: keep every checkpoint
        "log_every": ">= 1", "seed": SEED, "num_threads": ">= 1"}

    model: str
    output_dir: str
    data: DataConfig = field(default_factory=DataConfig)
    method: Literal["lora", "full"] = "lora"
    lora: LoraConfig = field(default_factory=LoraConfig)
    freeze_vision: bool = True
    optim: OptimConfig = field(default_factory=OptimConfig)
    max_length: int = 2048
    precision: Literal["auto", "no", "bf16", "fp16"] = "auto"
    gradient_checkpointing: bool = False
    group_by_length: bool = True
    save_every: int = 0
    keep_checkpoints: int = 2
    log_every: int = 10
    seed: int = 0
    device: str | None = None
    num_threads: int | None = None
    progress: bool = True


def check_paths(cfg: TrainConfig) -> None:
    """Fail before any model is loaded if a data file is missing or the mixture is empty."""
    d = cfg.data
    sources = d.safety + d.helpfulness + d.instruction
    if not sources:
        raise ConfigError("data: the mixture is empty (give data.safety, data.helpfulness or data.instruction)")
    if d.strategy == "posthoc" and not d.safety:
        raise ConfigError("data.safety: the posthoc strategy needs at least one safety source")
    if d.strategy == "mixed" and not d.instruction:
        raise ConfigError("data.instruction: the mixed strategy needs the original instruction data")
    for group in ("safety", "helpfulness", "instruction"):
        for i, src in enumerate(getattr(d, group)):
            if not Path(src.path).is_file():
                raise ConfigError(f"data.{group}[{i}].path: {src.path}: no such file")
            if src.image_root is not None and not Path(src.image_root).exists():
                raise ConfigError(f"data.{group}[{i}].image_root: {src.image_root}: no such folder or zip")
    if not (Path(cfg.model).exists() or "/" in cfg.model):
        raise ConfigError(f"model: {cfg.model}: no such folder (and not a hub id like org/name)")
