"""`load_model_and_processor`: both tiny architectures, stock Qwen2-VL folders without torchvision, clear errors."""

from __future__ import annotations

import importlib.util
import shutil

import pytest
import torch
from PIL import Image
from transformers.utils import logging as hf_logging

from vlguard.errors import ConfigError, VLGuardError
from vlguard.models.loading import load_model_and_processor, load_processor
from vlguard.models.tiny import MARKER_FILE, build_tiny_llava
from vlguard.models.tiny_qwen2vl import build_tiny_qwen2vl

torch.set_num_threads(2)
hf_logging.disable_progress_bar()

HAS_TORCHVISION = importlib.util.find_spec("torchvision") is not None


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return {"llava": build_tiny_llava(root / "llava", size="xs"), "qwen2vl": build_tiny_qwen2vl(root / "qwen")}


def _prompt(processor, text):
    msgs = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": text}]}]
    return processor.apply_chat_template(msgs, add_generation_prompt=True)


@pytest.mark.parametrize("arch,model_cls,proc_cls", [
    ("llava", "LlavaForConditionalGeneration", "LlavaProcessor"),
    ("qwen2vl", "Qwen2VLForConditionalGeneration", "ImageOnlyQwen2VLProcessor"),
])
def test_loads_both_tiny_folders(folders, arch, model_cls, proc_cls):
    model, processor = load_model_and_processor(folders[arch])
    assert type(model).__name__ == model_cls and type(processor).__name__ == proc_cls
    assert not model.training
    assert model.dtype == torch.float32 and model.device.type == "cpu"
    assert processor.tokenizer.padding_side == "left"
    assert model.generation_config.pad_token_id == processor.tokenizer.pad_token_id


@pytest.mark.parametrize("arch", ["llava", "qwen2vl"])
def test_batched_generation_matches_unbatched(folders, arch):
    # The point of left padding: a short prompt in a batch generates what it generates alone.
    model, processor = load_model_and_processor(folders[arch])
    prompts = [_prompt(processor, "Hi?"), _prompt(processor, "What is the colour of the big shape in this image?")]
    images = [Image.new("RGB", (64, 64), (200, 0, 0)), Image.new("RGB", (64, 64), (0, 0, 200))]
    batch = processor(images=images, text=prompts, return_tensors="pt", padding=True)
    out = model.generate(**batch, max_new_tokens=6, do_sample=False)[:, batch["input_ids"].shape[1]:]
    for i in range(2):
        alone = processor(images=[images[i]], text=[prompts[i]], return_tensors="pt")
        ref = model.generate(**alone, max_new_tokens=6, do_sample=False)[0, alone["input_ids"].shape[1]:]
        got = out[i][: len(ref)]
        assert got.tolist() == ref.tolist()


def test_dtype_choices(folders):
    model, _ = load_model_and_processor(folders["llava"], dtype="bfloat16")
    assert model.dtype == torch.bfloat16
    model, _ = load_model_and_processor(folders["qwen2vl"], dtype=torch.float16)
    assert model.dtype == torch.float16
    with pytest.raises(ConfigError, match="int8"):
        load_model_and_processor(folders["llava"], dtype="int8")


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_is_a_config_error(folders):
    with pytest.raises(ConfigError, match="CUDA"):
        load_model_and_processor(folders["llava"], device="cuda")


def test_offline_hub_id_fails_at_once_naming_the_model(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    name = "vlguard-tests/no-such-model-here"
    with pytest.raises(VLGuardError, match=name):
        load_model_and_processor(name)
    with pytest.raises(VLGuardError, match="HF_HUB_OFFLINE"):
        load_processor(name)


def test_bad_paths(tmp_path):
    with pytest.raises(VLGuardError, match="no such model folder"):
        load_model_and_processor(str(tmp_path / "missing"))
    with pytest.raises(VLGuardError, match="no config.json"):
        load_model_and_processor(tmp_path)
    f = tmp_path / "weights.bin"
    f.write_bytes(b"x")
    with pytest.raises(VLGuardError, match="is a file"):
        load_processor(f)


@pytest.mark.skipif(HAS_TORCHVISION, reason="the fallback is for machines without torchvision")
def test_stock_qwen2vl_folder_loads_without_torchvision(folders, tmp_path):
    # A folder as the hub has it (no vlguard marker): AutoProcessor fails on the video processor, we fall back.
    from transformers import AutoProcessor

    stock = tmp_path / "stock"
    shutil.copytree(folders["qwen2vl"], stock)
    (stock / MARKER_FILE).unlink()
    with pytest.raises((ImportError, OSError, ValueError)):
        AutoProcessor.from_pretrained(stock)
    model, processor = load_model_and_processor(stock)
    assert type(processor).__name__ == "ImageOnlyQwen2VLProcessor"
    inputs = processor(images=[Image.new("RGB", (64, 64))], text=[_prompt(processor, "Hi")], return_tensors="pt")
    with torch.no_grad():
        assert model(**inputs).logits.shape[0] == 1


def test_non_vision_folder_is_a_clear_error(tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM

    from vlguard.models.tiny import build_tokenizer

    folder = tmp_path / "textonly"
    LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                 num_attention_heads=2)).save_pretrained(folder)
    build_tokenizer(["a b c"] * 5).save_pretrained(folder)
    with pytest.raises(VLGuardError, match="textonly"):
        load_model_and_processor(folder)


# --- broken model folders fail before anything loads -----------------------------------------------------

import struct  # noqa: E402

from vlguard.models.loading import check_model, check_safetensors  # noqa: E402


def _st(tmp_path, header: bytes, body: bytes = b"", n: int | None = None):
    p = tmp_path / "w.safetensors"
    p.write_bytes(struct.pack("<Q", len(header) if n is None else n) + header + body)
    return p


@pytest.mark.parametrize("make,match", [
    (lambda t: (t / "w.safetensors").write_bytes(b"abc") and t / "w.safetensors", "truncated safetensors file"),
    (lambda t: _st(t, b"{}", n=10 ** 12), "truncated or corrupt"),
    (lambda t: _st(t, b"not json"), "header is not JSON"),
    (lambda t: _st(t, b"[1, 2]"), "header is not an object"),
    (lambda t: _st(t, b'{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}', b"\0" * 8),
     "truncated safetensors file"),
    (lambda t: _st(t, b'{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, "x"]}}'), "bad tensor offsets"),
])
def test_check_safetensors_reads_only_the_header_and_finds_truncation(tmp_path, make, match):
    with pytest.raises(VLGuardError, match=match):
        check_safetensors(make(tmp_path))


def test_check_safetensors_passes_a_whole_file(tmp_path, tiny_llava):
    check_safetensors(tiny_llava / "model.safetensors")
    check_safetensors(_st(tmp_path, b'{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}', b"\0" * 16))
    check_model(tiny_llava)


@pytest.mark.parametrize("name,text", [("generation_config.json", "[]"), ("tokenizer_config.json", '"x"'),
                                       ("processor_config.json", "{bad")])
def test_check_model_reads_every_json_the_loaders_read(tmp_path, tiny_llava, name, text):
    import shutil

    m = tmp_path / "m"
    shutil.copytree(tiny_llava, m)
    (m / name).write_text(text)
    with pytest.raises(VLGuardError, match=name):
        check_model(m)
