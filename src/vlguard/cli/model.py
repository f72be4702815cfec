"""`vlguard model ...`: build the tiny offline models the tests, examples and smoke runs use; merge adapters."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from vlguard.cli import console
from vlguard.cli.options import SEED, in_range
from vlguard.errors import ConfigError

app = typer.Typer(help="Build tiny offline vision LLMs; merge LoRA adapters into their base.", no_args_is_help=True)

ARCHS = ("llava", "qwen2vl")


@app.command()
def tiny(
    out: Path = typer.Option(..., "-o", "--out", help="Folder to write the model and processor to."),
    size: Optional[str] = typer.Option(
        None, "--size", help="xs | s | m (about 0.7M / 2M / 7M parameters; LLaVA only, default s)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for the weights (the tokenizer depends only on the corpus).",
                             callback=in_range(SEED)),
    arch: str = typer.Option("llava", "--arch", help="llava | qwen2vl"),
    like: Optional[str] = typer.Option(
        None, "--like", help="llava-1.5 | qwen2-vl: a tiny-width replica of that checkpoint's processor, image "
        "tokens and chat template (README, Engines)."),
    patch_size: int = typer.Option(8, "--patch-size", help="LLaVA's vision patch in px: 8 gives 64 image tokens "
                                   "per 64 px image, 16 gives 16 (what `vlguard reproduce` uses)."),
    force: bool = typer.Option(False, "--force", help="Replace OUT if it is a tiny-model folder already."),
) -> None:
    """Build a tiny LLaVA or Qwen2-VL with a locally trained tokenizer, offline and deterministic per seed."""
    from vlguard.models.tiny import read_marker

    if like is not None:
        if size is not None or arch != "llava":
            raise ConfigError("--like builds a replica of its own shape: leave out --size and --arch")
        from vlguard.models.replicas import build_replica

        path = build_replica(like, out, seed=seed, force=force)
        info = read_marker(path) or {}
        console.print(f"built a tiny replica of {info.get('replica_of')}: {info.get('params', 0) / 1e6:.2f}M "
                      f"parameters, image tokens {info.get('image_tokens')}, seed {seed} -> {path}")
        return
    if arch not in ARCHS:
        raise ConfigError(f"unknown --arch {arch!r} (choose from {', '.join(ARCHS)})")
    if arch == "llava":
        from vlguard.models.tiny import build_tiny_llava

        path = build_tiny_llava(out, size=size or "s", seed=seed, force=force, patch_size=patch_size)
    else:
        if size is not None or patch_size != 8:
            raise ConfigError("--size and --patch-size apply to --arch llava only (the tiny Qwen2-VL has one size)")
        from vlguard.models.tiny_qwen2vl import build_tiny_qwen2vl

        path = build_tiny_qwen2vl(out, seed=seed, force=force)
    info = read_marker(path) or {}
    label = f"{arch} {info.get('size')}" if info.get("size") else arch
    console.print(f"built tiny {label}: {info.get('params', 0) / 1e6:.2f}M parameters, "
                  f"vocabulary {info.get('vocab_size')}, seed {seed} -> {path}")


@app.command()
def merge(
    adapter: Path = typer.Argument(..., help="A LoRA adapter folder, e.g. runs/NAME/adapter from `vlguard train`."),
    out: Path = typer.Option(..., "-o", "--out", help="Folder to write the merged model and its processor to."),
    base: Optional[str] = typer.Option(
        None, "--base", help="Base model folder or hub id (default: the one named in the adapter's adapter_config.json)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
) -> None:
    """Merge a LoRA adapter into its base model: a standalone model folder that loads without PEFT."""
    from vlguard.train.saving import adapter_base, is_adapter, merge_adapter

    origin = base or (adapter_base(adapter) if is_adapter(adapter) else None)
    path = merge_adapter(adapter, out, base=base, force=force)
    console.print(f"merged {adapter} into {origin} -> {path}")
