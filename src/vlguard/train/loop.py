"""One supervised fine-tuning run, as a recipe: set up data, model and optimizer, restore, train, save.

`train` is these steps, in this order; the order is part of the numerics (the seed is set before LoRA's
weights are drawn, and `restore` puts back a checkpoint's RNG state after every other draw):

1. `check_config`: every value in range, the config's files and model there, and output_dir free: no
   earlier run's files in it unless resuming that same run (its fingerprint, run.json) or `force`.
2. `build_mixture` and `setup_accelerator`: the mixture, then the launcher's processes, precision and seed.
3. `record_composition`: print the mixture.
4. `load_model`, then `setup_data`: tokenize with its processor; drop (and count) what cannot train.
5. `setup_model`: LoRA adapters or full fine-tuning, and what stays frozen.
6. `setup_optimization`: batches, AdamW and schedule, `accelerator.prepare`; a `TrainRun` holds the pieces.
   `start_run_dir`: only now is anything written: with `force` the earlier run's files go; then
   config.yaml, composition.json and run.json. A run that fails before this leaves no file behind.
7. `restore`: with `--resume`, the last checkpoint that reads back (weights, optimizer, schedule, RNG, place
   in the data; a truncated newest one is skipped with a warning); metrics.jsonl is cut back to it.
8. `train_steps`: epochs of `run_epoch` until the last step; `log_step` writes metrics.jsonl and the bar;
   a checkpoint every `save_every` steps; callbacks (`vlguard.train.callbacks`) after each step may stop
   the run there, as a kill would: no final model, and the result says `stopped`.
9. `save_result`: the adapter (LoRA) or model (full) with its processor, and train_summary.json.

Runs as is on one CPU or GPU, and under `accelerate launch` (DDP, FSDP, DeepSpeed) without changes.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import torch
from torch.utils.data import DataLoader

from vlguard.errors import ConfigError
from vlguard.fileio import JsonlAppender, read_jsonl_tolerant, write_json, write_jsonl
from vlguard.train.batching import EpochBatchSampler
from vlguard.train.callbacks import StopAfterSteps, TrainCallback, stop_requested
from vlguard.train.checkpoint import CheckpointError, TrainState, list_checkpoints, load_checkpoint, save_checkpoint
from vlguard.train.config import TrainConfig
from vlguard.train.distributed import check_world, fit_launcher_config, is_fsdp, is_sharded, sum_over_processes, use_cpu
from vlguard.train.features import Collator, encode_all
from vlguard.train.loss import accepts_logits_to_keep, supervised_loss
from vlguard.train.mixture import build_mixture
from vlguard.train.model_setup import prepare_model, trainable_summary
from vlguard.train.outdir import check_config, start_run_dir

__all__ = ["StopAfterSteps", "TrainCallback", "TrainResult", "train"]

Log = Callable[[str], None]


@dataclass
class TrainResult:
    output_dir: str
    final_dir: str  # where the adapter or model is saved; nothing is there when `stopped`
    steps: int
    final_loss: float | None
    first_loss: float | None
    seconds: float
    tokens_per_s: float
    composition: dict = field(default_factory=dict)
    tokens: int = 0  # tokens processed (attention-mask sum over every micro-batch and process): the cost
    dropped: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    stopped: bool = False  # a callback ended the run early: no final model, no train_summary.json


@dataclass
class TrainRun:
    """The pieces of one run that the loop and the save use, as the setup steps built them."""

    cfg: TrainConfig
    accelerator: Any
    model: Any  # as `accelerator.prepare` wrapped it
    processor: Any
    optimizer: Any
    scheduler: Any  # stepped by hand once per optimizer step
    loader: Any
    sampler: EpochBatchSampler
    total: int  # optimizer steps of the whole run
    say: Log  # the run's log on the main process, silent on the others
    sparse_loss: bool = True  # logits only at supervised positions (`vlguard.train.loss`)

    @property
    def out(self) -> Path:
        return Path(self.cfg.output_dir)

    @property
    def main(self) -> bool:
        return self.accelerator.is_main_process


@dataclass
class Progress:
    """What the loop counts and reports: this process's share of the current optimizer step, all processes'
    loss and tokens since the last logged step, the first and last logged loss, metrics.jsonl and the bar."""

    metrics: JsonlAppender | None  # on the main process only
    bar: Any
    t_start: float  # perf_counter() when the run started, time before a resume included
    t_window: float
    step_tokens: int = 0
    step_loss: float = 0.0
    step_micro: int = 0
    tokens: int = 0
    loss: float = 0.0
    micro: int = 0
    first_loss: float | None = None
    last_loss: float | None = None

    def close(self) -> None:
        self.bar.close()
        if self.metrics:
            self.metrics.close()


def train(cfg: TrainConfig, resume: bool = False, log: Log = print,
          callbacks: Sequence[TrainCallback] = (), force: bool = False) -> TrainResult:
    """Run the training described by `cfg`; with `resume`, continue from the last checkpoint in output_dir
    (only the same run: its fingerprint in run.json must match); with `force`, replace an earlier run there.

    After each optimizer step (and that step's checkpoint, when one is due) every callback's
    `on_step_end(state)` is called. When one returns True, on any process, the run stops there, as a kill
    after that checkpoint would: metrics.jsonl and the progress bar are closed, neither the final model nor
    train_summary.json is written, and the result has `stopped=True` (see `vlguard.train.callbacks`).
    Under a launcher, each process calls `distributed.leave_process_group()` after this returns.
    """
    out = check_config(cfg, resume, force)
    if cfg.num_threads:
        torch.set_num_threads(cfg.num_threads)
    mp = _mixed_precision(cfg)
    mixture = build_mixture(cfg.data)
    comp = mixture.composition()
    accelerator = setup_accelerator(cfg, mp, comp)
    say = log if accelerator.is_main_process else (lambda _m: None)
    record_composition(cfg, accelerator, comp, say)
    model, processor = load_model(cfg, mp, fsdp=is_fsdp(accelerator))
    encoded, dropped = setup_data(cfg, accelerator, mixture.samples, processor, comp, say)
    model, params = setup_model(model, cfg, say)
    run = setup_optimization(cfg, accelerator, model, processor, encoded, say)
    start_run_dir(cfg, accelerator, {**comp, "dropped": dropped, "trained": len(encoded)}, force)
    state = restore(run, resume)
    progress, stopped = train_steps(run, state, callbacks)
    seconds = time.perf_counter() - progress.t_start
    final = out / ("adapter" if cfg.method == "lora" else "model")
    result = TrainResult(str(out), str(final), state.global_step, progress.last_loss,
                         progress.first_loss, round(seconds, 2), round(state.tokens_seen / max(seconds, 1e-9), 1),
                         comp, state.tokens_seen, dropped, params, stopped=stopped)
    if not stopped:
        save_result(run, result)
    return result


# --- setup ------------------------------------------------------------------------------------------------

def _mixed_precision(cfg: TrainConfig) -> str:
    if cfg.precision != "auto":
        return cfg.precision
    if torch.cuda.is_available() and torch.cuda.is_bf16_supported() and cfg.device != "cpu":
        return "bf16"
    return "no"  # bf16 autocast on CPU is several times slower than fp32 here


def setup_accelerator(cfg: TrainConfig, mp: str, comp: dict) -> Any:
    """The accelerator for how this run was launched (one process, DDP, FSDP, DeepSpeed); seeds every RNG."""
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs, set_seed

    # DDP fails on a step where a trainable weight got no gradient: the projector, on a batch of text-only
    # samples. Looking for unused weights costs a little each step, so only mixtures with such samples pay.
    text_only = comp["with_image"] < comp["total"]
    handlers = [DistributedDataParallelKwargs(find_unused_parameters=True)] if text_only else []
    accelerator = Accelerator(mixed_precision=mp, gradient_accumulation_steps=cfg.optim.grad_accum,
                              cpu=use_cpu(cfg.device), kwargs_handlers=handlers)
    check_world(accelerator)
    set_seed(cfg.seed)
    return accelerator


def record_composition(cfg: TrainConfig, accelerator: Any, comp: dict, say: Log) -> None:
    """Print the mixture (composition.json is written by `start_run_dir`, with what tokenization dropped)."""
    say(f"mixture ({comp['strategy']}): {comp['total']} samples, {comp['with_image']} with an image")
    for p in comp["sources"]:
        say(f"  {p['group']:<12} {p['name']:<32} {p['used']:>7} of {p['available']:<7} ({p['images']} with image)")


def load_model(cfg: TrainConfig, mp: str, fsdp: bool = False) -> tuple[Any, Any]:
    """The model and its processor, on the CPU (`accelerator.prepare` moves them), in the dtype it trains in."""
    from vlguard.models.loading import load_model_and_processor

    # A frozen LoRA base can sit in half precision; full fine-tuning keeps fp32 master weights. FSDP flattens
    # a layer's weights into one tensor of one dtype, so a half-precision base cannot hold fp32 LoRA weights
    # there: it loads in fp32 and FSDP's mixed-precision policy computes in half precision.
    dtype = mp if cfg.method == "lora" and mp in ("bf16", "fp16") and not fsdp else "float32"
    dtype = {"bf16": "bfloat16", "fp16": "float16"}.get(dtype, dtype)
    return load_model_and_processor(cfg.model, dtype=dtype, device="cpu")


def setup_data(cfg: TrainConfig, accelerator: Any, samples: list, processor: Any, comp: dict,
               say: Log) -> tuple[list, dict]:
    """The samples tokenized with the model's chat template, and what was dropped (counted in
    composition.json): a sample too long or without supervision is dropped, never cut."""
    main = accelerator.is_main_process
    encoded, report = encode_all(samples, processor, cfg.max_length, progress=cfg.progress and main)
    dropped = {"too_long": report.too_long, "no_supervision": report.no_supervision, "errors": len(report.errors)}
    if report.too_long:
        say(f"warning: dropped {report.too_long} sample(s) longer than max_length={cfg.max_length} (never cut)")
    for e in report.errors[:5]:
        say(f"warning: dropped {e}")
    if len(report.errors) > 5:
        say(f"warning: ... and {len(report.errors) - 5} more dropped sample(s) with errors")
    if not encoded:
        raise ConfigError("data: no trainable sample left after tokenization")
    return encoded, dropped


def setup_model(model: Any, cfg: TrainConfig, say: Log) -> tuple[Any, dict]:
    """LoRA adapters or full fine-tuning, with what stays frozen; returns the model and its parameter counts."""
    model = prepare_model(model, cfg)
    params = trainable_summary(model)
    say(f"model: {params['trainable_params']:,} trainable of {params['total_params']:,} parameters ({cfg.method})")
    return model, params


def _scheduler(optimizer: Any, cfg: TrainConfig, total: int) -> Any:
    from transformers import get_scheduler

    warmup = int(round(cfg.optim.warmup_ratio * total))
    name = {"cosine": "cosine", "linear": "linear", "constant": "constant_with_warmup"}[cfg.optim.schedule]
    return get_scheduler(name, optimizer, num_warmup_steps=warmup, num_training_steps=total)


def setup_optimization(cfg: TrainConfig, accelerator: Any, model: Any, processor: Any, encoded: list,
                       say: Log) -> TrainRun:
    """Deterministic (optionally length-grouped) batches, AdamW and its schedule, prepared for the launcher."""
    tok = processor.tokenizer
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else (tok.eos_token_id or 0)
    sampler = EpochBatchSampler([e.length for e in encoded], cfg.optim.batch_size, cfg.seed, cfg.group_by_length)
    # Its own generator: creating an iterator then draws from it, not from the global RNG that dropout
    # uses, so a resumed run sees the same random stream as an uninterrupted one.
    loader: DataLoader[Any] = DataLoader(encoded, batch_sampler=sampler,  # type: ignore[arg-type]  # a list will do
                                         collate_fn=Collator(pad_id, processor),
                                         generator=torch.Generator().manual_seed(cfg.seed))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.optim.lr,
                                  weight_decay=cfg.optim.weight_decay,
                                  betas=(cfg.optim.adam_beta1, cfg.optim.adam_beta2))
    fit_launcher_config(accelerator, model, cfg.optim.batch_size, cfg.optim.max_grad_norm)
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    steps_per_epoch = max(1, math.ceil(len(loader) / cfg.optim.grad_accum))
    total = cfg.optim.max_steps or max(1, math.ceil(cfg.optim.epochs * steps_per_epoch))
    scheduler = _scheduler(optimizer, cfg, total)
    return TrainRun(cfg, accelerator, model, processor, optimizer, scheduler, loader, sampler, total, say,
                    sparse_loss=accepts_logits_to_keep(model))


def restore(run: TrainRun, resume: bool) -> TrainState:
    """Where training stands: the start, or with `resume` the newest checkpoint that reads back, restored
    into the run (a truncated or corrupt newer one is skipped with a warning)."""
    state = TrainState(processes=run.accelerator.num_processes)
    if not resume:
        return state
    ckpts = list_checkpoints(run.out / "checkpoints")
    for i, path in enumerate(reversed(ckpts)):
        try:
            state = load_checkpoint(run.accelerator, run.model, run.optimizer, run.scheduler, path)
        except CheckpointError as e:
            older = f"falling back to {ckpts[-i - 2].name}" if i + 1 < len(ckpts) else "no older checkpoint"
            run.say(f"warning: {e}; {older}")
            continue
        if state.processes != run.accelerator.num_processes:
            # each process's place in its share of the batches is only meaningful with the same sharding
            raise ConfigError(f"{path} was written by {state.processes} process(es); resume it with as many, "
                              f"not {run.accelerator.num_processes}")
        run.say(f"resumed from {path} at step {state.global_step}")
        break
    else:
        if ckpts:
            raise ConfigError(f"{run.out / 'checkpoints'}: no checkpoint there can be read back; pass --force to "
                              f"start the run over")
    if run.main:  # metrics logged after that checkpoint (or, with none, at all) belong to the killed run
        metrics = run.out / "metrics.jsonl"
        if metrics.exists():
            write_jsonl(metrics, [r for r in read_jsonl_tolerant(metrics) if r.get("step", 0) <= state.global_step])
    return state


# --- training ---------------------------------------------------------------------------------------------

def train_steps(run: TrainRun, state: TrainState, callbacks: Sequence[TrainCallback]) -> tuple[Progress, bool]:
    """Train from `state` to the last optimizer step, epoch after epoch; True when a callback stopped it.
    metrics.jsonl and the progress bar are closed however it ends."""
    from tqdm.auto import tqdm

    progress = Progress(
        metrics=JsonlAppender(run.out / "metrics.jsonl") if run.main else None,
        bar=tqdm(total=run.total, initial=state.global_step, desc="training",
                 disable=not (run.cfg.progress and run.main), unit="step"),
        t_start=time.perf_counter() - state.seconds, t_window=time.perf_counter())
    run.model.train()
    try:
        while state.global_step < run.total:
            if run_epoch(run, state, progress, callbacks):
                return progress, True
    finally:
        progress.close()
    return progress, False


def run_epoch(run: TrainRun, state: TrainState, progress: Progress, callbacks: Sequence[TrainCallback]) -> bool:
    """Epoch `state.epoch` from where it stood, until it ends or the last step is taken; True when a
    callback stopped the run."""
    acc, cfg = run.accelerator, run.cfg
    skip = state.batch_in_epoch
    batches = acc.skip_first_batches(run.loader, skip) if skip else run.loader
    # accelerate's loaders set the sampler's epoch from their own iteration count when iterated, so
    # the epoch must be set on the loader actually iterated (a skipping loader starts counting at 0)
    for obj in (batches, run.sampler):
        if hasattr(obj, "set_epoch"):
            obj.set_epoch(state.epoch)
    micro = skip
    for batch in batches:
        loss = _forward_backward(run, batch)
        micro += 1
        progress.step_tokens += int(batch["attention_mask"].sum())
        progress.step_loss += float(loss.detach())
        progress.step_micro += 1
        if not acc.sync_gradients:
            continue
        end_step(run, state, progress, micro)
        if cfg.save_every and state.global_step % cfg.save_every == 0 and state.global_step < run.total:
            save_checkpoint(acc, run.model, run.optimizer, run.scheduler, state, run.out / "checkpoints",
                            cfg.keep_checkpoints)
        if callbacks and stop_requested(callbacks, state, acc):
            return True
        if state.global_step >= run.total:
            return False
    state.epoch, state.batch_in_epoch = state.epoch + 1, 0
    return False


def _forward_backward(run: TrainRun, batch: dict) -> torch.Tensor:
    """One micro-batch; the optimizer steps when it completes a step of gradient accumulation."""
    acc, model, optimizer, max_norm = run.accelerator, run.model, run.optimizer, run.cfg.optim.max_grad_norm
    with acc.accumulate(model):
        loss = supervised_loss(model, batch, sparse=run.sparse_loss)
        acc.backward(loss)
        if acc.sync_gradients and max_norm > 0:
            acc.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    return loss


def end_step(run: TrainRun, state: TrainState, progress: Progress, micro: int) -> None:
    """Count an optimizer step that just ended `micro` micro-batches into the epoch; log it when due."""
    p = progress
    # every process trained on other batches: log the loss and tokens of all of them
    n_tok, sum_loss, n_micro = sum_over_processes(run.accelerator, p.step_tokens, p.step_loss, p.step_micro)
    p.step_tokens, p.step_loss, p.step_micro = 0, 0.0, 0
    p.tokens += int(n_tok)
    state.tokens_seen += int(n_tok)
    p.loss += sum_loss
    p.micro += int(n_micro)
    run.scheduler.step()
    state.global_step += 1
    state.batch_in_epoch = micro
    if state.global_step % max(1, run.cfg.log_every) == 0 or state.global_step == run.total:
        log_step(run, state, p)
    p.bar.update(1)
    state.seconds = time.perf_counter() - p.t_start


def log_step(run: TrainRun, state: TrainState, progress: Progress) -> None:
    """One metrics.jsonl row and the bar's loss and tokens/s, over the steps since the last logged one."""
    p = progress
    dt = max(time.perf_counter() - p.t_window, 1e-9)
    p.last_loss = p.loss / max(p.micro, 1)
    p.first_loss = p.last_loss if p.first_loss is None else p.first_loss
    row = {"step": state.global_step, "epoch": state.epoch, "loss": round(p.last_loss, 6),
           "lr": run.scheduler.get_last_lr()[0], "tokens_per_s": round(p.tokens / dt, 1),
           "elapsed_s": round(time.perf_counter() - p.t_start, 2)}
    if p.metrics:
        p.metrics.write_many([row])
    p.bar.set_postfix(loss=f"{p.last_loss:.4f}", tok_s=f"{p.tokens / dt:,.0f}")
    p.tokens, p.loss, p.micro, p.t_window = 0, 0.0, 0, time.perf_counter()


def save_result(run: TrainRun, result: TrainResult) -> None:
    """The adapter or model with its processor at `result.final_dir`, and train_summary.json."""
    from vlguard.train.saving import save_final

    acc = run.accelerator
    acc.wait_for_everyone()
    # FSDP and DeepSpeed ZeRO-3 gather the full weights collectively, so every process takes part
    full_state = acc.get_state_dict(run.model) if is_sharded(acc) else None
    if run.main:
        save_final(acc.unwrap_model(run.model), run.processor, Path(result.final_dir), run.cfg, state_dict=full_state)
        summary = asdict(result)
        del summary["stopped"]  # a summary is only written for a finished run
        write_json(run.out / "train_summary.json", summary)
    acc.wait_for_everyone()
