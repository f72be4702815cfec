"""Checkpoint layouts other engines read: every model folder vlguard writes goes through `save_for_peers`.

transformers 5 saves a LLaVA's CLIP tower as `vision_tower.embeddings.*`, dropping the `vision_model.` level
that the published llava-hf checkpoints (`llava-hf/llava-1.5-7b-hf`) have. transformers reads both, but vLLM
reads only the llava-hf layout (`There is no module or parameter named 'vision_tower.embeddings'`), and so do
older transformers. `to_llava_hf_layout` renames the keys of a saved folder in place; other architectures
(Qwen2-VL's `visual.*` / `model.*` keys load in vLLM as saved) are left as they are.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

TOWER = "vision_tower."
CLIP_LEVEL = "vision_model."
INDEX = "model.safetensors.index.json"


def _llava_hf_key(key: str) -> str:
    if key.startswith(TOWER) and not key.startswith(TOWER + CLIP_LEVEL):
        return TOWER + CLIP_LEVEL + key[len(TOWER):]
    return key


def _model_type(folder: Path) -> str | None:
    try:
        return json.loads((folder / "config.json").read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError, AttributeError):
        return None


def needs_llava_hf_layout(folder: str | os.PathLike) -> bool:
    """Whether a saved LLaVA folder still has CLIP keys outside `vision_tower.vision_model.` (vLLM refuses it)."""
    from safetensors import safe_open

    p = Path(folder)
    if _model_type(p) != "llava":
        return False
    for weights in sorted(p.glob("*.safetensors")):
        with safe_open(str(weights), "pt") as f:
            if any(_llava_hf_key(k) != k for k in f.keys()):
                return True
    return False


def to_llava_hf_layout(folder: str | os.PathLike) -> bool:
    """Rename a saved LLaVA folder's CLIP keys to `vision_tower.vision_model.*`, in place; True if it changed.

    Each weights file is rewritten atomically (a temporary file renamed over it), and the shard index with it.
    """
    from safetensors import safe_open
    from safetensors.torch import save_file

    p = Path(folder)
    if not needs_llava_hf_layout(p):
        return False
    for weights in sorted(p.glob("*.safetensors")):
        with safe_open(str(weights), "pt") as f:
            metadata = f.metadata() or {"format": "pt"}
            tensors = {_llava_hf_key(k): f.get_tensor(k) for k in f.keys()}
        tmp = weights.with_name(f".{weights.name}.tmp")
        save_file(tensors, str(tmp), metadata=metadata)
        os.replace(tmp, weights)
    index = p / INDEX
    if index.is_file():
        data = json.loads(index.read_text(encoding="utf-8"))
        data["weight_map"] = {_llava_hf_key(k): v for k, v in data.get("weight_map", {}).items()}
        tmp = index.with_name(f".{INDEX}.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, index)
    return True


def save_for_peers(model: Any, folder: str | os.PathLike, **kwargs: Any) -> None:
    """`model.save_pretrained(folder, **kwargs)`, then the layout vLLM and older transformers read."""
    model.save_pretrained(folder, **kwargs)
    to_llava_hf_layout(folder)
