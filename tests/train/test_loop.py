"""Integration tests of the training loop on the tiny models (seconds each)."""

import json

import pytest
import torch
from safetensors.torch import load_file

from vlguard.config import from_dict
from vlguard.train.callbacks import StopAfterSteps
from vlguard.train.checkpoint import TrainState
from vlguard.train.config import TrainConfig
from vlguard.train.loop import train
from vlguard.train.saving import merge_adapter


def _cfg(model, data_path, out, **kw):
    base = {"model": str(model), "output_dir": str(out), "progress": False, "log_every": 1, "max_length": 256,
            "data": {"safety": [{"path": str(data_path)}]},
            "optim": {"lr": 5e-3, "max_steps": 12, "batch_size": 8, "warmup_ratio": 0.0}}
    for k, v in kw.items():
        if isinstance(v, dict):
            base.setdefault(k, {}).update(v)
        else:
            base[k] = v
    return from_dict(TrainConfig, base)


@pytest.mark.slow
def test_lora_posthoc_lowers_loss_saves_small_adapter_and_merges(pretrained_llava, colour_set, tmp_path):
    tiny_llava = pretrained_llava
    # log_every=3 with 24 samples in batches of 8: each logged loss is one whole epoch's mean
    cfg = _cfg(tiny_llava, colour_set, tmp_path / "run", log_every=3, group_by_length=False,
               optim={"lr": 3e-3, "max_steps": 24})
    res = train(cfg, log=lambda m: None)
    assert res.steps == 24 and res.final_loss < res.first_loss * 0.97
    adapter = tmp_path / "run" / "adapter"
    a_size = (adapter / "adapter_model.safetensors").stat().st_size
    assert a_size < (tiny_llava / "model.safetensors").stat().st_size / 3
    assert all("lora_" in k for k in load_file(adapter / "adapter_model.safetensors"))
    assert not any("vision" in k for k in load_file(adapter / "adapter_model.safetensors"))
    rows = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == list(range(3, 25, 3)) and all(r["tokens_per_s"] > 0 for r in rows)
    comp = json.loads((tmp_path / "run" / "composition.json").read_text())
    assert comp["trained"] == 24 and comp["dropped"]["too_long"] == 0

    merged = merge_adapter(adapter, tmp_path / "merged")
    from peft import PeftModel

    from vlguard.models.loading import load_model_and_processor

    base, proc = load_model_and_processor(tiny_llava)
    with_adapter = PeftModel.from_pretrained(base, str(adapter)).eval()
    m, _ = load_model_and_processor(merged)
    ids = proc.tokenizer("USER: hi ASSISTANT:", return_tensors="pt")
    with torch.no_grad():
        torch.testing.assert_close(m(**ids).logits, with_adapter(**ids).logits, atol=1e-4, rtol=1e-4)


def _trainable(path):
    return load_file(path)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["lora", "full"])
def test_resume_reaches_the_same_weights(tiny_llava, colour_set, tmp_path, method):
    kw = dict(method=method, save_every=2, lora={"dropout": 0.1}, optim={"max_steps": 7, "batch_size": 4})
    straight = train(_cfg(tiny_llava, colour_set, tmp_path / "a", **kw), log=lambda m: None)
    cfg_b = _cfg(tiny_llava, colour_set, tmp_path / "b", **kw)
    seen = _Record()
    stopped = train(cfg_b, log=lambda m: None, callbacks=[seen, StopAfterSteps(5)])  # as if killed after step 5
    assert stopped.stopped and stopped.steps == 5 and seen.steps == [1, 2, 3, 4, 5]
    assert not straight.stopped and (tmp_path / "a" / "train_summary.json").is_file()
    run_b = tmp_path / "b"
    final = "adapter" if method == "lora" else "model"
    assert stopped.final_dir == str(run_b / final)
    assert not (run_b / final).exists() and not (run_b / "train_summary.json").exists()  # no final model
    assert sorted(p.name for p in (run_b / "checkpoints").iterdir()) == ["step-00000002", "step-00000004"]
    assert [json.loads(x)["step"] for x in (run_b / "metrics.jsonl").read_text().splitlines()] == [1, 2, 3, 4, 5]
    logs: list[str] = []
    resumed = train(cfg_b, resume=True, log=logs.append)
    assert any("resumed from" in m and "at step 4" in m for m in logs)  # the last checkpoint before the stop
    assert straight.steps == resumed.steps == 7 and not resumed.stopped
    name = "adapter/adapter_model.safetensors" if method == "lora" else "model/model.safetensors"
    a, b = load_file(tmp_path / "a" / name), load_file(tmp_path / "b" / name)
    assert a.keys() == b.keys()
    # Adam turns float noise on near-zero gradients into steps of size ~lr, so compare the runs' weight
    # difference with how far training moved the weights, not with a fixed epsilon.
    base = {} if method == "lora" else load_file(tiny_llava / "model.safetensors")
    moved = diff = 0.0
    for k in a:
        diff += (a[k] - b[k]).abs().sum().item()
        moved += (a[k] - base[k]).abs().sum().item() if k in base else a[k].abs().sum().item()
    assert diff < 0.01 * moved
    la, lb = ([json.loads(x)["loss"] for x in (tmp_path / d / "metrics.jsonl").read_text().splitlines()]
              for d in ("a", "b"))
    assert len(la) == len(lb) == 7
    assert lb == pytest.approx(la, rel=1e-4)


class _Record:
    """A callback that notes the step it is called after and never stops the run."""

    def __init__(self):
        self.steps: list[int] = []

    def on_step_end(self, state):
        self.steps.append(state.global_step)
        return False


def test_stop_after_steps_counts_optimizer_steps_of_the_whole_run():
    stop = StopAfterSteps(3)
    assert [stop.on_step_end(TrainState(global_step=s)) for s in (1, 2, 3, 4)] == [False, False, True, True]
    with pytest.raises(ValueError, match="at least 1"):
        StopAfterSteps(0)


@pytest.mark.slow
def test_a_stop_at_the_last_step_saves_no_final_model_and_resume_finishes_it(tiny_llava, colour_set, tmp_path):
    # every 2 micro-batches make a step: the callbacks are called once per optimizer step
    cfg = _cfg(tiny_llava, colour_set, tmp_path / "r", save_every=2, optim={"max_steps": 3, "grad_accum": 2})
    seen = _Record()
    res = train(cfg, log=lambda m: None, callbacks=[StopAfterSteps(3), seen])
    assert res.stopped and res.steps == 3 and seen.steps == [1, 2, 3]  # every callback sees every step
    assert not (tmp_path / "r" / "adapter").exists() and not (tmp_path / "r" / "train_summary.json").exists()
    done = train(cfg, resume=True, log=lambda m: None)
    assert not done.stopped and done.steps == 3 and (tmp_path / "r" / "adapter" / "adapter_model.safetensors").is_file()
    assert "stopped" not in json.loads((tmp_path / "r" / "train_summary.json").read_text())


def test_refuses_to_reuse_a_run_dir_without_resume(tiny_llava, colour_set, tmp_path):
    cfg = _cfg(tiny_llava, colour_set, tmp_path / "r", save_every=1, optim={"max_steps": 2})
    train(cfg, log=lambda m: None)
    from vlguard.errors import ConfigError

    with pytest.raises(ConfigError, match="--resume"):
        train(cfg, log=lambda m: None)


def test_full_finetune_qwen2vl_with_frozen_vision(tiny_qwen2vl, colour_set, tmp_path):
    res = train(_cfg(tiny_qwen2vl, colour_set, tmp_path / "q", method="full", optim={"max_steps": 4}),
                log=lambda m: None)
    assert res.params["trainable_params"] < res.params["total_params"]
    from vlguard.models.loading import load_model_and_processor

    model, proc = load_model_and_processor(tmp_path / "q" / "model")
    before, _ = load_model_and_processor(tiny_qwen2vl)
    # the vision tower is frozen; its merger is the projector and trains with the language model
    vis = [n for n, _ in model.named_parameters() if ".visual." in f".{n}" and ".merger." not in n]
    assert vis
    sd_a, sd_b = dict(model.named_parameters()), dict(before.named_parameters())
    assert all(torch.equal(sd_a[n], sd_b[n]) for n in vis)  # vision tower frozen by default
    assert any(not torch.equal(sd_a[n], sd_b[n]) for n in sd_a if n not in vis)


def test_adapter_folder_loads_as_merged_model(pretrained_llava, colour_set, tmp_path):
    from vlguard.models.loading import load_model_and_processor

    res = train(_cfg(pretrained_llava, colour_set, tmp_path / "r", optim={"max_steps": 2}), log=lambda m: None)
    merged, proc = load_model_and_processor(res.final_dir)  # an adapter folder, as `vlguard eval --model` gets it
    assert not hasattr(merged, "peft_config")
    ids = proc.tokenizer("USER: hi ASSISTANT:", return_tensors="pt")
    assert merged(**ids).logits.shape[-1] == len(proc.tokenizer)
