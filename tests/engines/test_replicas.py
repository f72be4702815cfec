"""The shipped 7B configs on tiny replicas of their models, through to vLLM: each config trains a few steps
(as shipped: LoRA r=128, bf16 autocast, gradient checkpointing, max_length 2048), its adapter is merged, and
the merged model's greedy answers on vLLM equal hf's (576 image tokens per image for LLaVA-1.5, dynamic
resolution for Qwen2-VL). The main suite checks the same runs on transformers (masks, resume, merge)."""

from __future__ import annotations

import pytest

from tests.support.replica_runs import SHIPPED, train_replica
from tests.support.tiny_runs import compare_tasks, same_text, timed_eval

LIMIT = 6


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    from vlguard.models.replicas import build_replica

    root = tmp_path_factory.mktemp("replicas")
    return {like: build_replica(like, root / like) for like in sorted(set(SHIPPED.values()))}


@pytest.mark.parametrize("config", sorted(SHIPPED))
def test_shipped_config_on_its_replica_trains_merges_and_gives_hf_answers_on_vllm(
        config, replicas, world, tmp_path, bench):
    from vlguard.eval.run import EvalConfig
    from vlguard.train.saving import merge_adapter

    result = train_replica(config, replicas[SHIPPED[config]], world, tmp_path / "run", steps=2)
    assert result.steps == 2 and result.dropped["too_long"] == 0
    merged = merge_adapter(result.final_dir, tmp_path / config)

    def cfg(name, **kw):
        return EvalConfig(model=str(merged), tasks=compare_tasks(world), output_dir=str(tmp_path / name),
                          limit=LIMIT, **kw)

    hf = timed_eval(cfg("hf", dtype="float32"), merged, "hf (transformers)", bench, label=config)
    got = timed_eval(cfg("vllm", backend="vllm", engine_options={"max_model_len": 2048}), merged,
                     "vllm (offline LLM)", bench, label=config)
    assert got.keys() == hf.keys() and len(got) == 2 * LIMIT
    diff = [(k, got[k], hf[k]) for k in got if not same_text(got[k], hf[k])]
    assert not diff, f"{len(diff)} of {len(got)} differ, e.g. {diff[:2]}"
