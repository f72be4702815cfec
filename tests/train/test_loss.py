"""The sparse loss (logits only at supervised positions) is the model's own loss: same value, same gradients."""

from __future__ import annotations

import pytest
import torch

from vlguard.data.formats import read_training_source
from vlguard.train.features import collate, encode_all
from vlguard.train.loss import accepts_logits_to_keep, predicting_positions, supervised_loss

from .conftest import write_helpful


def _batch(model_dir, colour_set, tmp_path):
    from vlguard.models.loading import load_model_and_processor

    model, proc = load_model_and_processor(str(model_dir), dtype="float32", device="cpu")
    samples = read_training_source(str(colour_set), "vlguard")[:6]
    samples += read_training_source(str(write_helpful(tmp_path / "h.jsonl")), "messages")[:4]  # text-only too
    enc, _ = encode_all(samples, proc, 512)
    return model, collate(enc, proc.tokenizer.pad_token_id)


def _grads(model, loss):
    model.zero_grad(set_to_none=True)
    loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def test_predicting_positions_point_at_the_token_before_each_label():
    labels = torch.tensor([[-100, -100, 5, 6, -100], [-100, 7, -100, -100, -100]])
    assert predicting_positions(labels).tolist() == [[False, True, True, False, False],
                                                     [True, False, False, False, False]]


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["llava", "qwen2vl"])
def test_sparse_loss_equals_the_models_loss_and_gradients(arch, tiny_llava, tiny_qwen2vl, colour_set, tmp_path):
    model, batch = _batch(tiny_llava if arch == "llava" else tiny_qwen2vl, colour_set, tmp_path)
    assert accepts_logits_to_keep(model)
    torch.manual_seed(0)
    dense = supervised_loss(model, batch, sparse=False)
    g_dense = _grads(model, dense)
    sparse = supervised_loss(model, batch)
    g_sparse = _grads(model, sparse)
    assert torch.allclose(dense, sparse, rtol=1e-5, atol=1e-6)
    assert g_dense.keys() == g_sparse.keys()
    for name, g in g_dense.items():
        assert torch.allclose(g, g_sparse[name], rtol=1e-4, atol=1e-6), name


@pytest.mark.slow
def test_sparse_loss_through_peft(pretrained_llava, colour_set, tmp_path):
    from peft import LoraConfig, get_peft_model

    model, batch = _batch(pretrained_llava, colour_set, tmp_path)
    lora = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=r".*language_model.*\.q_proj"))
    assert accepts_logits_to_keep(lora)
    assert torch.allclose(supervised_loss(lora, batch, sparse=False), supervised_loss(lora, batch), rtol=1e-5)
