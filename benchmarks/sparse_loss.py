"""Logits only at supervised positions vs the model's own loss: same batches, same start, one process.

    .venv/bin/python benchmarks/sparse_loss.py [--steps 40] [--threads 1] [--repeats 2] [--patch-size 16]
    .venv/bin/python benchmarks/sparse_loss.py --compile     # also: the sparse loss with torch.compile

Builds a small SynthGuard and a tiny LLaVA, then trains two copies of the same model on the same
length-grouped batches of VL instruction data (batch 8, AdamW, clipping at 1.0), once with
`model(**batch).loss` and once with `vlguard.train.loss.supervised_loss` (the loop's default), interleaved
`--repeats` times. Prints tokens per second and per CPU-second of each, and the largest difference between
their losses over all steps (equal work: the same numbers up to float rounding).

`--compile` adds a third copy: the sparse loss with the language model wrapped in `torch.compile(dynamic=True)`
(the whole model cannot be: the loss keeps a data-dependent set of positions). Its tokens per second are
given over all steps (compilation included, what a training stage pays) and over the steps after the first
`--compile-warmup`.
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--patch-size", type=int, default=16)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--compile", action="store_true", help="also time the sparse loss under torch.compile")
    ap.add_argument("--compile-warmup", type=int, default=10)
    args = ap.parse_args()

    import torch

    from vlguard.data.formats import read_training_source
    from vlguard.models.loading import load_model_and_processor
    from vlguard.models.tiny import build_tiny_llava
    from vlguard.synth import generate_synthguard
    from vlguard.train.batching import epoch_batches
    from vlguard.train.features import collate, encode_all
    from vlguard.train.loss import supervised_loss

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        sg = Path(tmp) / "sg"
        generate_synthguard(sg, n_train=40, n_test=20, n_vl_instruct=400)
        base = build_tiny_llava(Path(tmp) / "m", patch_size=args.patch_size)
        model, proc = load_model_and_processor(str(base), dtype="float32", device="cpu")
        enc, _ = encode_all(read_training_source(str(sg / "vl_instruct.json"), "llava"), proc, 256)
    lengths = [e.length for e in enc]
    batches = []
    epoch = 0
    while len(batches) < args.steps:
        batches += [collate([enc[i] for i in b], proc.tokenizer.pad_token_id) for b in epoch_batches(lengths, 8, 0, epoch)]
        epoch += 1
    batches = batches[: args.steps]
    tokens = sum(int(b["attention_mask"].sum()) for b in batches)
    for p in model.parameters():
        p.requires_grad = True

    def run(sparse: bool, compiled: bool = False) -> dict:
        m = copy.deepcopy(model).train()
        if compiled:
            m.model.language_model = torch.compile(m.model.language_model, dynamic=True)
        opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
        losses, ends = [], []
        t0, c0 = time.perf_counter(), time.process_time()
        for b in batches:
            loss = supervised_loss(m, b, sparse=sparse)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
            ends.append(time.perf_counter())
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        w = min(args.compile_warmup, len(batches) - 1)
        late = sum(int(b["attention_mask"].sum()) for b in batches[w + 1:]) / (ends[-1] - ends[w])
        return {"tokens_per_s": tokens / wall, "tokens_per_cpu_s": tokens / cpu, "losses": losses,
                "tokens_per_s_after_warmup": late}

    rows = []
    for _ in range(args.repeats):
        dense, sparse = run(False), run(True)
        rows.append({"dense": dense, "sparse": sparse,
                     "max_abs_loss_diff": max(abs(a - b) for a, b in zip(dense["losses"], sparse["losses"]))})
        if args.compile:
            comp = run(True, compiled=True)
            rows[-1].update(compiled=comp, compiled_max_abs_loss_diff=max(
                abs(a - b) for a, b in zip(comp["losses"], sparse["losses"])))
    summary = {"steps": args.steps, "tokens_per_run": tokens, "threads": args.threads, "runs": [
        {k: ({"tokens_per_s": round(v["tokens_per_s"]), "tokens_per_cpu_s": round(v["tokens_per_cpu_s"]),
              "tokens_per_s_after_warmup": round(v["tokens_per_s_after_warmup"]),
              "final_loss": round(v["losses"][-1], 6)} if isinstance(v, dict) else v) for k, v in r.items()}
        for r in rows]}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{args.steps} steps, {tokens:,} tokens per run, {args.threads} thread(s)")
    for r in summary["runs"]:
        d, s = r["dense"], r["sparse"]
        print(f"  model loss   {d['tokens_per_s']:>6} tok/s {d['tokens_per_cpu_s']:>6} tok/CPU-s final loss {d['final_loss']}")
        print(f"  sparse loss  {s['tokens_per_s']:>6} tok/s {s['tokens_per_cpu_s']:>6} tok/CPU-s final loss {s['final_loss']}"
              f"   ratio (CPU) {s['tokens_per_cpu_s'] / d['tokens_per_cpu_s']:.2f}x, max |loss diff| "
              f"{r['max_abs_loss_diff']:.2e}")
        if "compiled" in r:
            c = r["compiled"]
            print(f"  compiled     {c['tokens_per_s']:>6} tok/s (after step {args.compile_warmup}: "
                  f"{c['tokens_per_s_after_warmup']} against sparse {s['tokens_per_s_after_warmup']}) "
                  f"max |loss diff| vs sparse {r['compiled_max_abs_loss_diff']:.2e}")


if __name__ == "__main__":
    main()
