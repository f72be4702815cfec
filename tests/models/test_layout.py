"""Model folders in the llava-hf layout (what vLLM reads), and older folders still loading in transformers."""

from __future__ import annotations

import json
import shutil

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from vlguard.models.layout import needs_llava_hf_layout, to_llava_hf_layout


def _keys(folder) -> set[str]:
    out: set[str] = set()
    for f in folder.glob("*.safetensors"):
        with safe_open(str(f), "pt") as h:
            out |= set(h.keys())
    return out


def _old_layout_copy(src, dst):
    """The folder as vlguard wrote it before: CLIP keys directly under vision_tower."""
    shutil.copytree(src, dst)
    w = load_file(dst / "model.safetensors")
    save_file({k.replace("vision_tower.vision_model.", "vision_tower."): v for k, v in w.items()},
              str(dst / "model.safetensors"), metadata={"format": "pt"})
    return dst


def test_tiny_llava_is_written_in_the_llava_hf_layout(tiny_llava):
    tower = [k for k in _keys(tiny_llava) if k.startswith("vision_tower.")]
    assert tower and all(k.startswith("vision_tower.vision_model.") for k in tower)
    assert "vision_tower.vision_model.embeddings.patch_embedding.weight" in tower
    assert not needs_llava_hf_layout(tiny_llava)


def test_old_and_new_layouts_load_the_same_weights_in_transformers(tiny_llava, tmp_path):
    from transformers import AutoModelForImageTextToText

    old = _old_layout_copy(tiny_llava, tmp_path / "old")
    assert needs_llava_hf_layout(old)
    a = AutoModelForImageTextToText.from_pretrained(tiny_llava).state_dict()
    b = AutoModelForImageTextToText.from_pretrained(old).state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert to_llava_hf_layout(old) is True and to_llava_hf_layout(old) is False  # idempotent
    assert _keys(old) == _keys(tiny_llava)


def test_a_sharded_folder_has_its_index_renamed_too(tmp_path):
    from transformers import AutoModelForImageTextToText

    from vlguard.models.tiny import make_tiny_llava

    model, _ = make_tiny_llava("xs")  # built from a config: transformers saves it without vision_model.
    out = tmp_path / "sharded"
    model.save_pretrained(out, max_shard_size="500KB")
    assert len(list(out.glob("*.safetensors"))) > 1 and needs_llava_hf_layout(out)
    to_llava_hf_layout(out)
    index = json.loads((out / "model.safetensors.index.json").read_text())["weight_map"]
    assert set(index) == _keys(out) and not needs_llava_hf_layout(out)
    reloaded = AutoModelForImageTextToText.from_pretrained(out).state_dict()
    assert all(torch.equal(reloaded[k], v) for k, v in model.state_dict().items())


def test_other_architectures_and_adapters_are_left_alone(tiny_qwen2vl, tmp_path):
    before = {p.name: p.read_bytes() for p in tiny_qwen2vl.glob("*.safetensors")}
    assert to_llava_hf_layout(tiny_qwen2vl) is False
    assert {p.name: p.read_bytes() for p in tiny_qwen2vl.glob("*.safetensors")} == before
    assert to_llava_hf_layout(tmp_path) is False  # no config.json: an adapter folder, say
