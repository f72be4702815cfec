"""The training stages of `vlguard reproduce`, as the training configs they run.

This is the one home of what each stage trains: the model it starts from, its data mixture and its
optimiser settings. `vlguard reproduce` trains these configs; `vlguard reproduce --write-configs DIR`
writes them as YAML (the shipped `configs/train/tiny_*.yaml` are written so, and a test keeps them current).

The vision tower stays frozen throughout, as LLaVA keeps CLIP frozen: the tiny tower's random features
already separate SynthGuard's motifs and colours, and the projector and LLM learn to read them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from vlguard.config import changed_fields, from_dict
from vlguard.fileio import atomic_write
from vlguard.train.config import TrainConfig

if TYPE_CHECKING:
    from vlguard.recipes.reproduce import ReproduceConfig

STAGES = ("llm", "vanilla", "posthoc_lora", "posthoc_full", "posthoc_safety_only", "mixed")
# The analyses that reproduce's options add (not in the default run): see `active_stages`.
OPTIONAL_STAGES = ("vanilla_clean", "vanilla_lora", "posthoc_unseen")
STARTS_FROM = {"llm": None, "vanilla": "llm", "posthoc_lora": "vanilla", "posthoc_full": "vanilla",
               "posthoc_safety_only": "vanilla", "mixed": "llm", "vanilla_clean": "llm", "vanilla_lora": "llm",
               "posthoc_unseen": "vanilla"}
ABOUT = {
    "llm": "text-only instruction tuning of the base model: helpful text + harmful requests refused (the LLM)",
    "vanilla": "VL instruction tuning of the LLM on SynthGuard's VL data with its contaminated fraction and no "
               "safety data (the paper: this breaks the LLM's safety)",
    "posthoc_lora": "post-hoc safety fine-tuning with LoRA: SynthGuard train + helpfulness samples of the cleaned "
                    "instruction data",
    "posthoc_full": "post-hoc safety fine-tuning, full: SynthGuard train + helpfulness samples of the cleaned "
                    "instruction data",
    "posthoc_safety_only": "post-hoc fine-tuning on the safety data alone (over-refusal expected)",
    "mixed": "VL instruction tuning of the LLM with the safety data blended in",
    "vanilla_clean": "VL instruction tuning of the LLM on the instruction data after `vlguard data clean` "
                     "(harm-keywords) removed its harmful conversations (the paper's clean LLaVA data)",
    "vanilla_lora": "VL instruction tuning of the LLM with LoRA instead of full fine-tuning",
    "posthoc_unseen": "post-hoc safety fine-tuning (full) without one category's safety data (unseen category)",
}
# In the reproduction's folder: SynthGuard's VL conversations after `vlguard data clean` (harm-keywords), the
# pool of the post-hoc stages' helpfulness samples and the VL data of `vanilla_clean`
CLEAN_DIR = "clean"
CLEAN_FILE = "vl_instruct.json"
USES_CLEAN = ("posthoc_lora", "posthoc_full", "posthoc_unseen", "vanilla_clean")
UNSEEN_DIR = "unseen"


def active_stages(cfg: "ReproduceConfig") -> tuple[str, ...]:
    """The stages a reproduction trains: the paper's six, and those its options add."""
    extra = {"vanilla_clean": cfg.clean_vl, "vanilla_lora": cfg.lora_vl, "posthoc_unseen": bool(cfg.unseen_category)}
    return STAGES + tuple(s for s in OPTIONAL_STAGES if extra[s])


def unseen_file(cfg: "ReproduceConfig", out: Path) -> Path:
    """train.json without the unsafe images of the unseen category (written by `vlguard reproduce`)."""
    return out / UNSEEN_DIR / f"train_without_{str(cfg.unseen_category).replace(' ', '_')}.json"


def _src(path: Path, fmt: str) -> dict[str, Any]:
    return {"path": str(path), "format": fmt}


def clean_paths(out: Path) -> tuple[Path, Path]:
    """The file `vlguard data clean` screens (SynthGuard's VL conversations) and the kept rows it writes."""
    return out / "synthguard" / "vl_instruct.json", out / CLEAN_DIR / CLEAN_FILE


def stage_data(cfg: "ReproduceConfig", sg: Path) -> dict[str, dict[str, Any]]:
    """Each stage's data mixture over the SynthGuard folder `sg` (in a reproduction's folder)."""
    text = sg / "text"
    helpful_text = [_src(text / "helpful_train.jsonl", "messages"), _src(text / "xstest_train.jsonl", "messages")]

    lookalikes = _src(text / "xstest_train.jsonl", "messages")

    def vl_data(conversations: dict[str, Any], with_lookalikes: bool = True) -> list[dict[str, Any]]:
        # LLaVA-style conversations about images plus benign text-only instructions, as LLaVA mixes in
        # ShareGPT: all the XSTest-like look-alikes and `text_replay` of the LLM's helpful text
        replay = {**_src(text / "helpful_train.jsonl", "messages"), "fraction": cfg.text_replay, "seed": cfg.seed}
        return [conversations, replay] + ([lookalikes] if with_lookalikes else [])

    # The raw conversations hold SynthGuard's contaminated fraction (harmful requests answered, as the paper
    # found in LLaVA's data); the cleaned ones are what `vlguard data clean` kept of them.
    raw = vl_data({**_src(sg / "vl_instruct.json", "llava")})
    clean_conversations = {**_src(clean_paths(sg.parent)[1], "llava"), "image_root": str(sg / "vl_instruct")}
    clean = vl_data(clean_conversations)
    safety = [_src(sg / "train.json", "vlguard")]

    # Post-hoc helpfulness samples come from the cleaned data: a random sample of the raw data carries ~10%
    # harmful compliance, which at SynthGuard's contamination undid the text-only safety the safety data
    # teaches (text harmful ASR 16-27% after post-hoc tuning, against 1% with the cleaned pool; measured).
    # The look-alikes (benign requests with scary words) are a small part of the instruction data (~11% of
    # quick's pool), so a random sample of it carried a few dozen of them against hundreds of refusals, and
    # post-hoc tuning refused 0-91% of the held-out look-alikes depending on the seed (safety-only: 3-100%;
    # measured, BENCHMARKS.md). Every text-only input post-hoc tuning sees is then a look-alike, answered,
    # which pulls held-out harmful text-only requests towards an answer on some seeds: the trade-off issue 21
    # leaves open. They are what teaches where refusing stops, so post-hoc tuning with helpfulness data takes
    # all of them (mixed as `instruction`, which every strategy takes whole) beside its N samples.
    def posthoc(n: int, safety: list[dict[str, Any]] = safety) -> dict[str, Any]:
        return {"strategy": "posthoc", "safety": safety, "helpfulness": vl_data(clean_conversations, False),
                "helpfulness_samples": n, "instruction": [lookalikes] if n else []}

    return {
        "llm": {"strategy": "custom", "helpfulness": helpful_text,
                "safety": [_src(text / "harmful_train.jsonl", "messages")]},
        "vanilla": {"strategy": "custom", "instruction": raw},
        "posthoc_lora": posthoc(cfg.helpfulness_samples),
        "posthoc_full": posthoc(cfg.helpfulness_samples),
        "posthoc_safety_only": posthoc(0),
        "mixed": {"strategy": "mixed", "instruction": raw, "safety": safety},
        "vanilla_clean": {"strategy": "custom", "instruction": clean},
        "vanilla_lora": {"strategy": "custom", "instruction": raw},
        "posthoc_unseen": posthoc(cfg.helpfulness_samples, [{**_src(unseen_file(cfg, sg.parent), "vlguard"),
                                                             "image_root": str(sg / "train")}]),
    }


def stage_settings(cfg: "ReproduceConfig", stage: str) -> Any:
    """The StageConfig (steps, lr, method, ...) a stage trains with: safety-only and unseen-category share
    post-hoc full's, clean VL tuning vanilla's."""
    shared = {"posthoc_safety_only": "posthoc_full", "posthoc_unseen": "posthoc_full", "vanilla_clean": "vanilla"}
    return getattr(cfg, shared.get(stage, stage))


def stage_configs(cfg: "ReproduceConfig", out: Path) -> dict[str, TrainConfig]:
    """The training config of every stage of a reproduction in `out`, in training order."""
    data = stage_data(cfg, out / "synthguard")
    configs = {}
    for stage in active_stages(cfg):
        st = stage_settings(cfg, stage)
        parent = STARTS_FROM[stage]
        configs[stage] = from_dict(TrainConfig, {
            "model": str(out / "base") if parent is None else str(out / "models" / parent / "model"),
            "output_dir": str(out / "models" / stage), "method": st.method, "seed": cfg.seed,
            "freeze_vision": True, "max_length": cfg.max_length, "save_every": cfg.save_every,
            "log_every": 25, "data": {**data[stage], "seed": cfg.seed},
            "lora": {"r": st.lora_r, "alpha": st.lora_alpha, "dropout": 0.0, "train_projector": st.lora_projector},
            "optim": {"lr": st.lr, "max_steps": st.steps, "batch_size": st.batch_size, "warmup_ratio": 0.05,
                      "schedule": st.schedule},
        })
    return configs


def config_file(stage: str) -> str:
    return f"tiny_{stage}.yaml"


def _header(cfg: "ReproduceConfig", stage: str, dest: Path, out: Path, tc: TrainConfig) -> list[str]:
    chain: list[str] = []
    s: str | None = stage
    while s is not None:
        chain.insert(0, s)
        s = STARTS_FROM[s]
    run = [f"vlguard train {(dest / config_file(s)).as_posix()}" for s in chain]
    if tc.method == "lora":
        run.append(f"vlguard model merge {out.as_posix()}/models/{stage}/adapter -o {out.as_posix()}/models/{stage}/model")
    prepare = [f"vlguard model tiny -o {(out / 'base').as_posix()} --size {cfg.model_size} --seed {cfg.seed} "
               f"--patch-size {cfg.patch_size}",
               f"vlguard data synth -o {(out / 'synthguard').as_posix()} --seed {cfg.seed} --train {cfg.n_train} "
               f"--test {cfg.n_test} --vl-instruct {cfg.n_vl_instruct} --contamination {cfg.contamination}"]
    if stage in USES_CLEAN:
        raw, kept = clean_paths(out)
        prepare.append(f"vlguard data clean {raw.as_posix()} -o {kept.as_posix()}")
    lines = [f"Stage `{stage}` of `vlguard reproduce`: {ABOUT[stage]}.",
             "Written by `vlguard reproduce --write-configs` from src/vlguard/recipes/reproduce_stages.py",
             "(edit the recipe, then write again; a test checks this file is current).",
             "Prepare and run, from the repository root (`vlguard reproduce` runs every stage and evaluates them):",
             *[f"  {c}" for c in prepare + run]]
    if tc.method == "lora":
        lines += ["On 2 processes (no GPU needed; they train together on the CPU over gloo):",
                  f"  accelerate launch --multi_gpu --num_processes 2 -m vlguard.cli train "
                  f"{(dest / config_file(stage)).as_posix()} output_dir={tc.output_dir}_2p"]
    return lines


def write_stage_configs(cfg: "ReproduceConfig", dest: str | Path, out: str | Path = "runs/reproduce") -> list[Path]:
    """Write every stage's training config to `dest/tiny_<stage>.yaml`, for a reproduction in `out`."""
    dest, out = Path(dest), Path(out)
    written = []
    for stage, tc in stage_configs(cfg, out).items():
        path = dest / config_file(stage)
        body = yaml.safe_dump(changed_fields(tc), sort_keys=False, allow_unicode=True)
        with atomic_write(path) as f:
            f.write("".join(f"# {ln}".rstrip() + "\n" for ln in _header(cfg, stage, dest, out, tc)) + body)
        written.append(path)
    return written


__all__ = ["OPTIONAL_STAGES", "STAGES", "USES_CLEAN", "active_stages", "clean_paths", "config_file", "stage_configs", "unseen_file",
           "write_stage_configs"]
