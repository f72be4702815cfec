"""`vlguard model tiny --like llava-1.5|qwen2-vl`: tiny-width replicas with the real checkpoints' processor
settings, image tokens and chat templates; and the shipped 7B configs run on them for a few steps (train,
resume, merge, evaluate). vLLM on the same runs: tests/engines/test_replicas.py."""

from __future__ import annotations

import json

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from vlguard.cli import main
from vlguard.models import replicas as R
from vlguard.schema import Sample, Turn


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("replicas")
    return {like: R.build_replica(like, root / like) for like in R.LIKE}


def _prompt(processor, image=True):
    content = ([{"type": "image"}] if image else []) + [{"type": "text", "text": "What is it?"}]
    return processor.apply_chat_template([{"role": "user", "content": content}], tokenize=False,
                                         add_generation_prompt=True)


def _image_tokens(processor, model_config, size) -> int:
    inputs = processor(text=[_prompt(processor)], images=[Image.new("RGB", size, (200, 30, 30))],
                       return_tensors="pt", add_special_tokens=False)
    return int((inputs["input_ids"] == model_config.image_token_id).sum())


def test_llava15_replica_has_llava_hf_processing_and_template(built):
    from transformers import AutoConfig

    from vlguard.models.loading import load_processor

    path = built["llava-1.5"]
    proc, cfg = load_processor(path), AutoConfig.from_pretrained(path)
    ip = proc.image_processor
    assert (ip.size["shortest_edge"], ip.crop_size["height"], ip.crop_size["width"]) == (336, 336, 336)
    assert ip.do_center_crop and ip.resample == 3 and list(ip.image_mean) == R.OPENAI_CLIP_MEAN
    assert list(ip.image_std) == R.OPENAI_CLIP_STD
    assert proc.patch_size == 14 and proc.num_additional_image_tokens == 1
    assert proc.vision_feature_select_strategy == "default"
    assert (cfg.vision_config.image_size, cfg.vision_config.patch_size) == (336, 14)
    assert (cfg.vision_feature_layer, cfg.image_seq_length, cfg.projector_hidden_act) == (-2, 576, "gelu")
    assert proc.chat_template == R.LLAVA15_TEMPLATE
    assert _prompt(proc) == "USER: <image>\nWhat is it? ASSISTANT:"
    for size in ((64, 64), (336, 336), (640, 480)):  # every image: 24 x 24 patches
        assert _image_tokens(proc, cfg, size) == 576
    text = cfg.text_config
    assert text.hidden_size // text.num_attention_heads >= 32  # what vLLM's CPU attention accepts
    keys = load_file(path / "model.safetensors").keys()
    assert "vision_tower.vision_model.embeddings.patch_embedding.weight" in keys  # llava-hf layout
    assert json.loads((path / "vlguard_tiny.json").read_text())["replica_of"] == "llava-hf/llava-1.5-7b-hf"


def test_qwen2vl_replica_has_dynamic_resolution_and_the_chatml_template(built):
    from transformers import AutoConfig

    from vlguard.models.loading import load_processor

    path = built["qwen2-vl"]
    proc, cfg = load_processor(path), AutoConfig.from_pretrained(path)
    ip = proc.image_processor
    assert (ip.patch_size, ip.merge_size, ip.temporal_patch_size) == (14, 2, 2)
    assert (ip.size["shortest_edge"], ip.size["longest_edge"]) == (3136, 12845056)  # min / max pixels
    assert proc.chat_template == R.QWEN2VL_TEMPLATE
    assert _prompt(proc) == ("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                             "<|vision_start|><|image_pad|><|vision_end|>What is it?<|im_end|>\n"
                             "<|im_start|>assistant\n")
    # one token per 28 x 28 pixels after resizing each side to a multiple of 28
    assert [_image_tokens(proc, cfg, s) for s in ((64, 64), (336, 336), (644, 476))] == [4, 144, 391]
    text = cfg.text_config
    head = text.hidden_size // text.num_attention_heads
    assert head >= 32 and sum(text.rope_parameters["mrope_section"]) * 2 == head
    cfg_json = json.loads((path / "processor_config.json").read_text())
    assert cfg_json["processor_class"] == "Qwen2VLProcessor"  # a stock folder where torchvision exists


def test_cli_builds_a_replica_and_refuses_size_with_like(tmp_path, capsys):
    assert main(["model", "tiny", "--like", "llava-1.5", "-o", str(tmp_path / "r")]) == 0
    assert "replica of llava-hf/llava-1.5-7b-hf" in " ".join(capsys.readouterr().out.split())
    assert main(["model", "tiny", "--like", "llava-1.5", "--size", "s", "-o", str(tmp_path / "x")]) == 1
    assert main(["model", "tiny", "--like", "gpt-4", "-o", str(tmp_path / "y")]) == 1
    assert "choose from llava-1.5, qwen2-vl" in capsys.readouterr().err


def _masked(like, built):
    from vlguard.models.loading import load_processor
    from vlguard.train.features import encode_sample

    proc = load_processor(built[like])
    s = Sample(id="a", messages=(Turn("user", "What colour is it?"), Turn("assistant", "It is red."),
                                 Turn("user", "And its shape?"), Turn("assistant", "A square.")), image="x.png")
    enc = encode_sample(s, proc, 2048, image=Image.new("RGB", (64, 64), "red"))
    ids = [int(t) for t, lab in zip(enc.input_ids, enc.labels) if lab != -100]
    return proc.tokenizer, ids


def test_masks_on_the_real_qwen2vl_template_cover_replies_and_im_end(built):
    tok, ids = _masked("qwen2-vl", built)
    assert tok.decode(ids) == "It is red.<|im_end|>A square.<|im_end|>"


def test_masks_on_the_real_llava15_template_cover_the_replies(built):
    tok, ids = _masked("llava-1.5", built)
    assert tok.decode(ids).split() == ["It", "is", "red.", "A", "square."]


@pytest.mark.xfail(strict=True, reason="llava-hf's chat template closes a reply with a space and no </s>, so "
                   "no end-of-turn token is supervised (LLaVA's own training appends </s> to each reply)")
def test_the_llava15_template_supervises_an_end_of_turn_token(built):
    tok, ids = _masked("llava-1.5", built)
    assert tok.eos_token_id in ids


# --- the shipped 7B configs, a few steps each on their replicas ------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.support.tiny_runs import synth_world

    return synth_world(tmp_path_factory.mktemp("world") / "sg")


@pytest.mark.slow
@pytest.mark.parametrize("config", ["llava15_7b_posthoc_lora", "llava15_7b_mixed", "qwen2vl_7b_posthoc_lora"])
def test_shipped_config_trains_resumes_merges_and_evaluates_on_its_replica(config, built, world, tmp_path):
    from accelerate.state import AcceleratorState

    from vlguard.eval.run import EvalConfig, run_eval
    from vlguard.train.saving import merge_adapter

    from tests.support.replica_runs import SHIPPED, train_replica
    from tests.support.tiny_runs import compare_tasks, outputs

    # the shipped configs ask for bf16: accelerate keeps one process-wide state, which an earlier test in this
    # process may have set with other precision; a fresh one is what each `vlguard train` process gets
    AcceleratorState._reset_state(reset_partial_state=True)
    replica = built[SHIPPED[config]]
    straight = train_replica(config, replica, world, tmp_path / "straight", steps=4)
    assert straight.steps == 4 and straight.dropped == {"too_long": 0, "no_supervision": 0, "errors": 0}
    per_sample = straight.tokens / 4 / 2  # 4 steps of batch 2
    if config.startswith("llava"):
        assert per_sample > 576  # every sample carries its 576 image tokens, within max_length 2048
    stopped = train_replica(config, replica, world, tmp_path / "resumed", steps=4, stop_after=2)
    assert stopped.stopped and stopped.steps == 2
    resumed = train_replica(config, replica, world, tmp_path / "resumed", steps=4, resume=True)
    assert resumed.steps == 4
    rows = [[json.loads(x)["loss"] for x in (tmp_path / d / "metrics.jsonl").read_text().splitlines()]
            for d in ("straight", "resumed")]
    assert rows[1] == pytest.approx(rows[0], rel=1e-4)
    a = load_file(f"{straight.final_dir}/adapter_model.safetensors")
    b = load_file(f"{resumed.final_dir}/adapter_model.safetensors")
    assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)

    merged = merge_adapter(straight.final_dir, tmp_path / "merged")
    if config.startswith("llava"):
        assert "vision_tower.vision_model.post_layernorm.weight" in load_file(merged / "model.safetensors")
    runs = {}
    for name, model in (("adapter", straight.final_dir), ("merged", merged)):
        runs[name] = tmp_path / f"eval_{name}"
        run_eval(EvalConfig(model=str(model), tasks=compare_tasks(world), output_dir=str(runs[name]), limit=3,
                            dtype="float32"), progress=False, log=lambda m: None)
    assert outputs(runs["adapter"]) == outputs(runs["merged"]) and len(outputs(runs["merged"])) == 6
