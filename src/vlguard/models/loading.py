"""The one place the project loads a vision LLM and its processor: tiny folders, local checkpoints, hub ids.

Training and evaluation call `load_model_and_processor` whatever the model (tiny LLaVA, tiny Qwen2-VL,
llava-hf/llava-1.5-7b-hf, Qwen/Qwen2-VL-7B-Instruct...), so they never special-case an architecture.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vlguard.errors import ConfigError, VLGuardError
from vlguard.models.tiny import read_marker

DTYPES = ("auto", "float32", "bfloat16", "float16")
# Architectures whose processor is usable for images without its video half (which needs torchvision).
_QWEN_VL_TYPES = ("qwen2_vl", "qwen2_5_vl")


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


# What transformers, PEFT and safetensors raise on a model folder that is broken (truncated weights, a
# config.json that is a list, ...): turned into one VLGuardError naming the folder.
LOAD_ERRORS: tuple[type[BaseException], ...] = (OSError, ValueError, TypeError, KeyError, AttributeError,
                                                RuntimeError, EOFError)


def _load_errors() -> tuple[type[BaseException], ...]:
    try:
        from safetensors import SafetensorError
    except ImportError:  # pragma: no cover - safetensors comes with transformers
        return LOAD_ERRORS
    return LOAD_ERRORS + (SafetensorError,)


def check_safetensors(path: str | os.PathLike) -> None:
    """Raise VLGuardError when a .safetensors file is truncated or its header is not one, reading only
    the header: a kill or a full disk while saving leaves such files."""
    import json
    import struct

    p = Path(path)
    size = p.stat().st_size
    with open(p, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise VLGuardError(f"{p}: truncated safetensors file ({size} bytes)")
        (n,) = struct.unpack("<Q", head)
        if n > size - 8 or n > 100_000_000:
            raise VLGuardError(f"{p}: truncated or corrupt safetensors file (header of {n:,} bytes in {size:,})")
        try:
            header = json.loads(f.read(n))
        except (ValueError, RecursionError):
            raise VLGuardError(f"{p}: corrupt safetensors file (its header is not JSON)") from None
    if not isinstance(header, dict):
        raise VLGuardError(f"{p}: corrupt safetensors file (its header is not an object)")
    ends = [t.get("data_offsets", [0, 0])[1] for k, t in header.items() if k != "__metadata__" and isinstance(t, dict)]
    if any(not isinstance(e, int) for e in ends):
        raise VLGuardError(f"{p}: corrupt safetensors file (bad tensor offsets)")
    if ends and 8 + n + max(ends) > size:
        raise VLGuardError(f"{p}: truncated safetensors file ({size:,} bytes, its header needs {8 + n + max(ends):,})")


def check_model_files(p: Path) -> None:
    """The JSON files a model folder's loaders read must be objects; its weights must not be truncated."""
    from vlguard.fileio import read_json_object

    for name in ("config.json", "adapter_config.json", "processor_config.json", "preprocessor_config.json",
                 "tokenizer_config.json", "generation_config.json", "vlguard_tiny.json"):
        if (p / name).is_file():
            read_json_object(p / name)
    for weights in sorted(p.glob("*.safetensors")):
        check_safetensors(weights)


def adapter_base_name(adapter: str | os.PathLike) -> str:
    """The base model a LoRA adapter folder names in its adapter_config.json; VLGuardError if it names none."""
    from vlguard.fileio import read_json_object

    path = Path(adapter) / "adapter_config.json"
    base = read_json_object(path).get("base_model_name_or_path")
    if not isinstance(base, str) or not base.strip():
        raise VLGuardError(f"{path}: names no base model (base_model_name_or_path); pass the base explicitly")
    return base


def check_model(name_or_path: str | os.PathLike) -> None:
    """Fail at once, before anything is loaded or written, when a model cannot load: a folder that is no
    model, a broken config or truncated weights in it, an adapter whose base is missing, or (offline) a hub
    id that is not in the cache."""
    p = Path(str(name_or_path)).expanduser()
    if (p / "adapter_config.json").is_file() and not (p / "config.json").is_file():
        check_model_files(p)
        check_model(adapter_base_name(p))
        return
    name = _resolve(name_or_path)
    if Path(name).is_dir():
        check_model_files(Path(name))


def _resolve(name_or_path: str | os.PathLike) -> str:
    """Check that a model can be reached before transformers tries (and retries) to fetch it."""
    name = str(name_or_path)
    p = Path(name).expanduser()
    if p.is_dir():
        if not any((p / f).is_file() for f in ("config.json", "processor_config.json", "tokenizer_config.json")):
            raise VLGuardError(f"{p}: not a model folder (no config.json)")
        return str(p)
    if p.exists():
        raise VLGuardError(f"{p}: is a file; expected a model folder or a Hugging Face hub id")
    from huggingface_hub import try_to_load_from_cache
    from huggingface_hub.utils import HFValidationError

    try:
        cached = try_to_load_from_cache(name, "config.json")
    except HFValidationError:
        raise VLGuardError(f"{name}: no such model folder (and not a valid hub id)") from None
    if _offline() and not isinstance(cached, str):
        raise VLGuardError(
            f"{name}: not a local folder and not in the Hugging Face cache, and HF_HUB_OFFLINE is set "
            "(download it first, or pass a model folder)"
        )
    return name


def _torch_dtype(dtype: Any):
    import torch

    if isinstance(dtype, torch.dtype) or dtype == "auto":
        return dtype
    if dtype not in DTYPES:
        raise ConfigError(f"unknown dtype {dtype!r} (choose from {', '.join(DTYPES)})")
    return getattr(torch, dtype)


def _check_device(device: str) -> None:
    import torch

    if device == "auto":
        return
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ConfigError(f"unknown device {device!r} (e.g. cpu, cuda, cuda:1, mps, auto)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} requested but CUDA is not available on this machine")
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(f"device {device!r} requested but MPS is not available on this machine")


def _model_type(name: str, trust_remote_code: bool) -> str | None:
    from transformers import AutoConfig

    try:
        return AutoConfig.from_pretrained(name, trust_remote_code=trust_remote_code).model_type
    except (OSError, ValueError):
        return None


def _image_only_qwen(name: str):
    from vlguard.models.tiny_qwen2vl import ImageOnlyQwen2VLProcessor

    return ImageOnlyQwen2VLProcessor.from_pretrained(name)


def load_processor(name_or_path: str | os.PathLike, trust_remote_code: bool = False):
    """Load the processor of a vision LLM (tokenizer padding on the left, a pad token always set).

    Qwen2-VL folders load without torchvision: their processor is rebuilt without its video processor.
    """
    from transformers import AutoProcessor

    name = _resolve(name_or_path)
    marker = read_marker(name) if Path(name).is_dir() else None
    if marker and marker.get("processor") == "ImageOnlyQwen2VLProcessor":
        processor = _image_only_qwen(name)
    else:
        try:
            processor = AutoProcessor.from_pretrained(name, trust_remote_code=trust_remote_code)
        except _load_errors() + (ImportError,) as e:
            # Stock Qwen2-VL processors want a video processor, which needs torchvision.
            if "video" in str(e).lower() and _model_type(name, trust_remote_code) in _QWEN_VL_TYPES:
                processor = _image_only_qwen(name)
            else:
                raise VLGuardError(f"{name}: cannot load its processor: {_first_line(e)}") from e
    tokenizer = getattr(processor, "tokenizer", None)
    if tokenizer is None:
        raise VLGuardError(f"{name}: its processor ({type(processor).__name__}) is not an image-text processor")
    tokenizer.padding_side = "left"  # batched generation matches unbatched only with left padding
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return processor


def load_model_and_processor(
    name_or_path: str | os.PathLike,
    dtype: Any = "auto",
    device: str = "cpu",
    trust_remote_code: bool = False,
):
    """Load any image-text-to-text model and its processor; returns `(model, processor)`, the model in eval mode.

    `name_or_path` is a model folder (e.g. from `vlguard model tiny`) or a hub id; `dtype` is auto, float32,
    bfloat16 or float16; `device` is a torch device string or "auto" (spread over the available GPUs).
    Offline (HF_HUB_OFFLINE=1), a hub id that is not in the local cache fails at once with a VLGuardError.
    """
    from transformers import AutoModelForImageTextToText

    adapter = Path(str(name_or_path)).expanduser()
    if (adapter / "adapter_config.json").is_file() and not (adapter / "config.json").is_file():
        return _load_adapter(adapter, dtype, device, trust_remote_code)
    name = _resolve(name_or_path)
    torch_dtype = _torch_dtype(dtype)
    _check_device(device)
    if Path(name).is_dir():
        check_model_files(Path(name))
    processor = load_processor(name, trust_remote_code=trust_remote_code)
    try:
        model = AutoModelForImageTextToText.from_pretrained(
            name, dtype=torch_dtype, device_map=device, trust_remote_code=trust_remote_code
        )
    except _load_errors() as e:
        raise VLGuardError(f"{name}: cannot load it as an image-text-to-text model: {_first_line(e)}") from e
    gen = model.generation_config
    if gen is not None and gen.pad_token_id is None:
        gen.pad_token_id = processor.tokenizer.pad_token_id
    return model.eval(), processor


def _load_adapter(adapter: Path, dtype: Any, device: str, trust_remote_code: bool):
    """A LoRA adapter folder: its base model with the adapter merged in, and the processor saved beside it."""
    from peft import PeftModel

    check_model_files(adapter)
    base = adapter_base_name(adapter)
    model, processor = load_model_and_processor(base, dtype=dtype, device=device, trust_remote_code=trust_remote_code)
    try:
        model = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    except _load_errors() as e:
        raise VLGuardError(f"{adapter}: cannot load it as a LoRA adapter of {base}: {_first_line(e)}") from e
    if any((adapter / f).is_file() for f in ("processor_config.json", "tokenizer_config.json")):
        processor = load_processor(adapter, trust_remote_code=trust_remote_code)
    return model.eval(), processor


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
