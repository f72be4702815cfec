"""One supervised fine-tuning run: data, model, optimizer, the loop, checkpoints and the saved result.

Runs as is on one CPU or GPU, and under `accelerate launch` (DDP, FSDP, DeepSpeed) without changes.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch.utils.data import DataLoader

from vlguard.errors import ConfigError
from vlguard.fileio import JsonlAppender, read_jsonl_tolerant, write_json, write_jsonl
from vlguard.train.batching import EpochBatchSampler
from vlguard.train.checkpoint import TrainState, list_checkpoints, load_checkpoint, save_checkpoint
from vlguard.train.config import TrainConfig, check_paths
from vlguard.train.distributed import (check_world, fit_launcher_config, is_fsdp, is_sharded, sum_over_processes,
                                       use_cpu)
from vlguard.train.features import Collator, encode_all
from vlguard.train.mixture import build_mixture
from vlguard.train.model_setup import prepare_model, trainable_summary


@dataclass
class TrainResult:
    output_dir: str
    final_dir: str
    steps: int
    final_loss: float | None
    first_loss: float | None
    seconds: float
    tokens_per_s: float
    composition: dict = field(default_factory=dict)
    dropped: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)


def _mixed_precision(cfg: TrainConfig) -> str:
    if cfg.precision != "auto":
        return cfg.precision
    if torch.cuda.is_available() and torch.cuda.is_bf16_supported() and cfg.device != "cpu":
        return "bf16"
    return "no"  # bf16 autocast on CPU is several times slower than fp32 here


def _scheduler(optimizer: Any, cfg: TrainConfig, total: int) -> Any:
    from transformers import get_scheduler

    warmup = int(round(cfg.optim.warmup_ratio * total))
    name = {"cosine": "cosine", "linear": "linear", "constant": "constant_with_warmup"}[cfg.optim.schedule]
    return get_scheduler(name, optimizer, num_warmup_steps=warmup, num_training_steps=total)


def _load(cfg: TrainConfig, mp: str, fsdp: bool = False) -> tuple[Any, Any]:
    from vlguard.models.loading import load_model_and_processor

    # A frozen LoRA base can sit in half precision; full fine-tuning keeps fp32 master weights. FSDP flattens
    # a layer's weights into one tensor of one dtype, so a half-precision base cannot hold fp32 LoRA weights
    # there: it loads in fp32 and FSDP's mixed-precision policy computes in half precision.
    dtype = mp if cfg.method == "lora" and mp in ("bf16", "fp16") and not fsdp else "float32"
    dtype = {"bf16": "bfloat16", "fp16": "float16"}.get(dtype, dtype)
    return load_model_and_processor(cfg.model, dtype=dtype, device="cpu")


def train(cfg: TrainConfig, resume: bool = False, log: Callable[[str], None] = print,
          stop_after: int | None = None) -> TrainResult:
    """Run the training described by `cfg`. `stop_after` ends the run early after that optimizer step's
    checkpoint, as a kill would (used by tests of `--resume`). Under a launcher, each process calls
    `distributed.leave_process_group()` after this returns."""
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs, set_seed
    from tqdm.auto import tqdm

    check_paths(cfg)
    out = Path(cfg.output_dir)
    ckpt_dir = out / "checkpoints"
    if not resume and list_checkpoints(ckpt_dir):
        raise ConfigError(f"output_dir: {out} already holds checkpoints; pass --resume to continue or choose another")
    if cfg.num_threads:
        torch.set_num_threads(cfg.num_threads)
    mp = _mixed_precision(cfg)
    mixture = build_mixture(cfg.data)
    comp = mixture.composition()
    # DDP fails on a step where a trainable weight got no gradient: the projector, on a batch of text-only
    # samples. Looking for unused weights costs a little each step, so only mixtures with such samples pay.
    text_only = comp["with_image"] < comp["total"]
    handlers = [DistributedDataParallelKwargs(find_unused_parameters=True)] if text_only else []
    accelerator = Accelerator(mixed_precision=mp, gradient_accumulation_steps=cfg.optim.grad_accum,
                              cpu=use_cpu(cfg.device), kwargs_handlers=handlers)
    check_world(accelerator)
    main = accelerator.is_main_process
    say = log if main else (lambda _m: None)
    set_seed(cfg.seed)

    say(f"mixture ({comp['strategy']}): {comp['total']} samples, {comp['with_image']} with an image")
    for p in comp["sources"]:
        say(f"  {p['group']:<12} {p['name']:<32} {p['used']:>7} of {p['available']:<7} ({p['images']} with image)")
    if main:
        from vlguard.config import dump_yaml

        out.mkdir(parents=True, exist_ok=True)
        (out / "config.yaml").write_text(dump_yaml(cfg))
        write_json(out / "composition.json", comp)

    model, processor = _load(cfg, mp, fsdp=is_fsdp(accelerator))
    tok = processor.tokenizer
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else (tok.eos_token_id or 0)
    encoded, report = encode_all(mixture.samples, processor, cfg.max_length, progress=cfg.progress and main)
    dropped = {"too_long": report.too_long, "no_supervision": report.no_supervision, "errors": len(report.errors)}
    if report.too_long:
        say(f"warning: dropped {report.too_long} sample(s) longer than max_length={cfg.max_length} (never cut)")
    for e in report.errors[:5]:
        say(f"warning: dropped {e}")
    if len(report.errors) > 5:
        say(f"warning: ... and {len(report.errors) - 5} more dropped sample(s) with errors")
    if not encoded:
        raise ConfigError("data: no trainable sample left after tokenization")
    if main:
        write_json(out / "composition.json", {**comp, "dropped": dropped, "trained": len(encoded)})

    model = prepare_model(model, cfg)
    params = trainable_summary(model)
    say(f"model: {params['trainable_params']:,} trainable of {params['total_params']:,} parameters ({cfg.method})")
    sampler = EpochBatchSampler([e.length for e in encoded], cfg.optim.batch_size, cfg.seed, cfg.group_by_length)
    # Its own generator: creating an iterator then draws from it, not from the global RNG that dropout
    # uses, so a resumed run sees the same random stream as an uninterrupted one.
    loader = DataLoader(encoded, batch_sampler=sampler, collate_fn=Collator(pad_id, processor),
                        generator=torch.Generator().manual_seed(cfg.seed))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.optim.lr,
                                  weight_decay=cfg.optim.weight_decay,
                                  betas=(cfg.optim.adam_beta1, cfg.optim.adam_beta2))
    fit_launcher_config(accelerator, model, cfg.optim.batch_size, cfg.optim.max_grad_norm)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    micro_per_epoch = len(loader)
    steps_per_epoch = max(1, math.ceil(micro_per_epoch / cfg.optim.grad_accum))
    total = cfg.optim.max_steps or max(1, math.ceil(cfg.optim.epochs * steps_per_epoch))
    scheduler = _scheduler(optimizer, cfg, total)  # stepped by hand once per optimizer step

    state = TrainState(processes=accelerator.num_processes)
    ckpts = list_checkpoints(ckpt_dir)
    if resume and ckpts:
        state = load_checkpoint(accelerator, model, optimizer, scheduler, ckpts[-1])
        if state.processes != accelerator.num_processes:
            # each process's place in its share of the batches is only meaningful with the same sharding
            raise ConfigError(f"{ckpts[-1]} was written by {state.processes} process(es); resume it with as many, "
                              f"not {accelerator.num_processes}")
        say(f"resumed from {ckpts[-1]} at step {state.global_step}")
        if main:  # metrics logged after that checkpoint belong to the killed run
            kept = [r for r in read_jsonl_tolerant(out / "metrics.jsonl") if r.get("step", 0) <= state.global_step]
            write_jsonl(out / "metrics.jsonl", kept)
    metrics = JsonlAppender(out / "metrics.jsonl") if main else None

    bar = tqdm(total=total, initial=state.global_step, desc="training", disable=not (cfg.progress and main), unit="step")
    model.train()
    t_start, tokens_window, loss_window, n_window = time.perf_counter() - state.seconds, 0, 0.0, 0
    t_window = time.perf_counter()
    step_tokens, step_loss, step_micro = 0, 0.0, 0  # this process's share of the current optimizer step
    first_loss = last_loss = None
    epoch = state.epoch
    done = state.global_step >= total
    while not done:
        skip = state.batch_in_epoch if epoch == state.epoch else 0
        batches = accelerator.skip_first_batches(loader, skip) if skip else loader
        # accelerate's loaders set the sampler's epoch from their own iteration count when iterated, so
        # the epoch must be set on the loader actually iterated (a skipping loader starts counting at 0)
        for obj in (batches, sampler):
            if hasattr(obj, "set_epoch"):
                obj.set_epoch(epoch)
        micro = skip
        for batch in batches:
            with accelerator.accumulate(model):
                loss = model(**batch).loss
                accelerator.backward(loss)
                if accelerator.sync_gradients and cfg.optim.max_grad_norm > 0:
                    accelerator.clip_grad_norm_(model.parameters(), cfg.optim.max_grad_norm)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
            micro += 1
            step_tokens += int(batch["attention_mask"].sum())
            step_loss += float(loss.detach())
            step_micro += 1
            if not accelerator.sync_gradients:
                continue
            # every process trained on other batches: log the loss and tokens of all of them
            n_tok, sum_loss, n_micro = sum_over_processes(accelerator, step_tokens, step_loss, step_micro)
            step_tokens, step_loss, step_micro = 0, 0.0, 0
            tokens_window += int(n_tok)
            state.tokens_seen += int(n_tok)
            loss_window += sum_loss
            n_window += int(n_micro)
            scheduler.step()
            state.global_step += 1
            state.epoch, state.batch_in_epoch = epoch, micro
            if state.global_step % max(1, cfg.log_every) == 0 or state.global_step == total:
                dt = max(time.perf_counter() - t_window, 1e-9)
                last_loss = loss_window / max(n_window, 1)
                first_loss = last_loss if first_loss is None else first_loss
                row = {"step": state.global_step, "epoch": epoch, "loss": round(last_loss, 6),
                       "lr": scheduler.get_last_lr()[0], "tokens_per_s": round(tokens_window / dt, 1),
                       "elapsed_s": round(time.perf_counter() - t_start, 2)}
                if metrics:
                    metrics.write_many([row])
                bar.set_postfix(loss=f"{last_loss:.4f}", tok_s=f"{tokens_window / dt:,.0f}")
                tokens_window, loss_window, n_window, t_window = 0, 0.0, 0, time.perf_counter()
            bar.update(1)
            state.seconds = time.perf_counter() - t_start
            if cfg.save_every and state.global_step % cfg.save_every == 0 and state.global_step < total:
                save_checkpoint(accelerator, model, optimizer, scheduler, state, ckpt_dir, cfg.keep_checkpoints)
            if stop_after is not None and state.global_step >= stop_after:
                bar.close()
                if metrics:
                    metrics.close()
                raise KeyboardInterrupt(f"stopped after step {state.global_step}")
            if state.global_step >= total:
                done = True
                break
        else:
            epoch += 1
            state.epoch, state.batch_in_epoch = epoch, 0
    bar.close()
    if metrics:
        metrics.close()

    seconds = time.perf_counter() - t_start
    final = out / ("adapter" if cfg.method == "lora" else "model")
    accelerator.wait_for_everyone()
    from vlguard.train.saving import save_final

    # FSDP and DeepSpeed ZeRO-3 gather the full weights collectively, so every process takes part
    full_state = accelerator.get_state_dict(model) if is_sharded(accelerator) else None
    if main:
        save_final(accelerator.unwrap_model(model), processor, final, cfg, state_dict=full_state)
    result = TrainResult(str(out), str(final), state.global_step, last_loss, first_loss, round(seconds, 2),
                         round(state.tokens_seen / max(seconds, 1e-9), 1), comp, dropped, params)
    if main:
        write_json(out / "train_summary.json", asdict(result))
    accelerator.wait_for_everyone()
    return result
