"""Generation throughput: vlguard's `hf` backend against a sequential batch-1 loop like the paper's
evaluation script (VLGuard_eval.py: one prompt at a time, load image, generate, decode), on the same
tiny model and the same VLGuard-test-style prompts, in one run.

    .venv/bin/python benchmarks/generation_throughput.py [--n 512] [--batch-size 64] [--max-new-tokens 32]

Both sides generate greedily with the same max_new_tokens; an untrained tiny model never stops early, so
both produce the same number of tokens per prompt. Model loading and data generation are not timed.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402


def sequential_loop(model, processor, samples, max_new_tokens: int) -> list[str]:
    """The paper's shape: for each question, open its image, build the prompt, generate, decode."""
    from vlguard.clients.messages import processor_messages
    from vlguard.images import load_image

    outs = []
    with torch.no_grad():
        for s in samples:
            image = load_image(s.image, s.image_root)
            prompt = processor.apply_chat_template(processor_messages(s, True)[:1], tokenize=False,
                                                   add_generation_prompt=True)
            inputs = processor(text=prompt, images=image, return_tensors="pt", add_special_tokens=False)
            out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                 pad_token_id=processor.tokenizer.pad_token_id)
            outs.append(processor.tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True))
    return outs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=512, help="prompts (VLGuard-test-style, from SynthGuard test)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--max-new-tokens", type=int, default=32)
    ap.add_argument("--size", default="s", choices=["xs", "s", "m"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="runs/benchmarks/generation_throughput.json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    from transformers.utils import logging as hf_logging

    from vlguard.clients.hf import HFBackend
    from vlguard.data.vlguard import load_vlguard
    from vlguard.models.loading import load_model_and_processor
    from vlguard.models.tiny import build_tiny_llava
    from vlguard.synth import generate_synthguard

    hf_logging.disable_progress_bar()
    with tempfile.TemporaryDirectory() as tmp:
        generate_synthguard(Path(tmp) / "sg", n_train=10, n_test=max(args.n, 400), n_vl_instruct=5)
        samples = [s for s in load_vlguard(Path(tmp) / "sg" / "test.json")][: args.n]
        model_dir = build_tiny_llava(Path(tmp) / "model", size=args.size)
        model, processor = load_model_and_processor(model_dir)

        t0 = time.perf_counter()
        seq = sequential_loop(model, processor, samples, args.max_new_tokens)
        t_seq = time.perf_counter() - t0

        backend = HFBackend(model_obj=model, processor=processor, batch_size=args.batch_size,
                            max_new_tokens=args.max_new_tokens, device="cpu")
        t0 = time.perf_counter()
        batched = backend.generate(samples)
        t_bat = time.perf_counter() - t0

    same = sum(a.strip() == b.text for a, b in zip(seq, batched)) / len(samples)
    res = {"prompts": len(samples), "max_new_tokens": args.max_new_tokens, "batch_size": args.batch_size,
           "model_size": args.size, "threads": args.threads,
           "sequential_samples_per_s": round(len(samples) / t_seq, 2),
           "vlguard_hf_samples_per_s": round(len(samples) / t_bat, 2),
           "ratio": round(t_seq / t_bat, 2), "identical_outputs": round(same, 4),
           "sequential_seconds": round(t_seq, 2), "vlguard_seconds": round(t_bat, 2)}
    print(f"sequential batch-1 loop : {res['sequential_samples_per_s']:8.2f} samples/s ({t_seq:.1f} s)")
    print(f"vlguard hf backend      : {res['vlguard_hf_samples_per_s']:8.2f} samples/s ({t_bat:.1f} s, batch {args.batch_size})")
    print(f"ratio                   : {res['ratio']:.1f}x   identical outputs: {same:.1%}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
