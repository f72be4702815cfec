"""A small SynthGuard world and a tiny model trained on it, for tests that compare engines.

An untrained tiny model repeats a few tokens until `max_new_tokens`; a briefly trained one answers in the
world's sentences and stops, so comparing engines on it compares real answers of varied lengths (and keeps
servers fast: generation ends at the end-of-turn token).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# what a comparison evaluates: a task with images and one without, 20 samples each
COMPARE_TASKS = ("synth_helpful", "synth_harmful")


def synth_world(out: str | os.PathLike, seed: int = 0) -> Path:
    """A SynthGuard folder with 80 train / 40 test images and 80 VL-instruction rows (a few seconds)."""
    from vlguard.synth import generate_synthguard

    out = Path(out)
    if not (out / "train.json").is_file():
        generate_synthguard(out, seed=seed, n_train=80, n_test=40, n_vl_instruct=80)
    return out


def train_tiny(world: str | os.PathLike, out: str | os.PathLike, base: str | os.PathLike | None = None,
               steps: int = 120, size: str = "s", log: Any = None) -> Path:
    """Full fine-tuning of a tiny LLaVA (size `s` unless `base` is given) on `world`; returns the model folder."""
    from vlguard.config import from_dict
    from vlguard.models.tiny import build_tiny_llava
    from vlguard.train.config import TrainConfig
    from vlguard.train.loop import train

    out, world = Path(out), Path(world)
    if base is None:
        base = build_tiny_llava(out.parent / f"{out.name}-base", size=size, seed=0, force=True)
    cfg = from_dict(TrainConfig, {
        "model": str(base), "output_dir": str(out), "method": "full", "progress": False, "save_every": 0,
        "max_length": 256, "log_every": max(1, steps // 4),
        "data": {"strategy": "custom", "instruction": [
            {"path": str(world / "train.json"), "format": "vlguard"},
            {"path": str(world / "vl_instruct.json"), "format": "llava"}]},
        "optim": {"lr": 3e-3, "max_steps": steps, "batch_size": 8, "warmup_ratio": 0.05},
    })
    return Path(train(cfg, log=log or (lambda m: None)).final_dir)


def compare_tasks(world: str | os.PathLike) -> list[str]:
    """Task specs for `EvalConfig.tasks`: each comparison task on `world`."""
    return [f"{t}={world}" for t in COMPARE_TASKS]


def outputs(run_dir: str | os.PathLike) -> dict[tuple[str, str], str]:
    """(task, id) -> output of a finished eval run (errors included as empty outputs)."""
    import json

    rows = [json.loads(line) for line in (Path(run_dir) / "generations.jsonl").read_text().splitlines() if line]
    return {(r["task"], r["id"]): r["output"] for r in rows}


def same_text(a: str, b: str) -> bool:
    """Equal answers, but for a trailing U+FFFD: when `max_new_tokens` cuts a multi-byte character, hf decodes
    its first bytes as U+FFFD and vLLM's incremental detokenizer holds them back (the tokens are the same)."""
    return a == b or a.rstrip("\ufffd") == b.rstrip("\ufffd")


def timed_eval(cfg: Any, tokenizer_from: str | os.PathLike, engine: str, bench: list | None = None,
               startup_s: float | None = None, label: str | None = None) -> dict[tuple[str, str], str]:
    """Run `cfg` (an EvalConfig), timing the backend's start-up and the run apart; returns the outputs.

    Tokens are the generated answers re-tokenized with the model's tokenizer, the same count for every
    engine. With `bench`, a row {engine, model, startup_s, answers, tokens, seconds} is appended to it
    (`startup_s` replaces the measured start-up: a server's, say, started elsewhere; `label` names the model).
    """
    import time

    from vlguard.eval.run import make_eval_backend, run_eval
    from vlguard.models.loading import load_processor

    t0 = time.perf_counter()
    backend = make_eval_backend(cfg)
    t1 = time.perf_counter()
    try:
        run_eval(cfg, backend=backend, progress=False, log=lambda m: None)
    finally:
        if hasattr(backend, "close"):
            backend.close()
    t2 = time.perf_counter()
    out = outputs(cfg.output_dir)
    tok = load_processor(tokenizer_from).tokenizer
    tokens = sum(len(tok(text, add_special_tokens=False)["input_ids"]) for text in out.values())
    if bench is not None:
        bench.append({"engine": engine, "model": label or Path(str(tokenizer_from)).name,
                      "startup_s": t1 - t0 if startup_s is None else startup_s, "answers": len(out),
                      "tokens": tokens, "seconds": t2 - t1})
    return out
