"""`vlguard reproduce [-o DIR] [--config FILE | --quick] [--seeds N] [key=value ...]`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from vlguard.cli import console
from vlguard.errors import ConfigError


def reproduce_command(
    out: Path = typer.Option(Path("runs/reproduce"), "-o", "--out", help="Where every stage is cached."),
    config: Optional[Path] = typer.Option(None, "--config", help="A reproduce config (YAML); default: the built-in one."),
    quick: bool = typer.Option(False, "--quick", help="The quick preset: a smaller world and fewer steps (about 3 minutes)."),
    print_config: bool = typer.Option(False, "--print-config", help="Print the whole config as YAML and stop."),
    write_configs: Optional[Path] = typer.Option(
        None, "--write-configs", help="Write each stage's training config to DIR/tiny_<stage>.yaml and stop."),
    clean_vl: bool = typer.Option(False, "--clean-vl", help="Also train vanilla on the instruction data after "
                                  "`vlguard data clean` (harm-keywords) removed its harmful samples."),
    unseen_category: Optional[str] = typer.Option(
        None, "--unseen-category", help="Also train post-hoc (full) without this category's (or subcategory's) "
        "safety data, e.g. privacy; the report breaks ASR down by category and subcategory."),
    lora_vl: bool = typer.Option(False, "--lora-vl", help="Also train vanilla with LoRA instead of full fine-tuning."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Parallel worker processes (default: one per "
                                          "core, at most 4; 1 runs everything in this process)."),
    seeds: Optional[int] = typer.Option(
        None, "--seeds", help="Run the experiment for N seeds (the config's seed, seed+1, ...), each in DIR/seed-S/, "
        "with a report of the spread across seeds in DIR; wins over a config's `seeds` list."),
    overrides: Optional[List[str]] = typer.Argument(None, help="key=value overrides, e.g. vanilla.steps=600"),
) -> None:
    """Run the paper's experiment on the tiny model and SynthGuard, with a report and checks of its findings."""
    from vlguard.config import dump_yaml, load_config
    from vlguard.recipes.reproduce import QUICK_PRESET, ReproduceConfig, preset_path, reproduce

    if quick and config is not None:
        raise ConfigError("give --quick or --config, not both (the quick preset is a config file too)")
    flags = {k: v for k, v in (("clean_vl", clean_vl or None), ("lora_vl", lora_vl or None),
                               ("unseen_category", unseen_category), ("workers", workers)) if v is not None}
    cfg = load_config(ReproduceConfig, preset_path(QUICK_PRESET) if quick else config, overrides or [], values=flags)
    if seeds is not None:  # from the seed the config ends up with, so it comes after every override
        from dataclasses import replace

        from vlguard.recipes.reproduce_seeds import seed_range

        cfg = replace(cfg, seeds=seed_range(cfg.seed, seeds))
    if print_config:
        print(dump_yaml(cfg), end="")
        return
    if write_configs is not None:
        from vlguard.recipes.reproduce_stages import write_stage_configs

        for p in write_stage_configs(cfg, write_configs, out):
            console.print(f"wrote {p}", highlight=False)
        return
    res = reproduce(out, cfg, log=lambda m: console.print(m, highlight=False, markup=False))
    console.print((out / "report.md").read_text() if (out / "report.md").exists() else "")
    for c in res["checks"]:
        mark = "[green]PASS[/]" if c["passed"] else "[red]FAIL[/]"
        console.print(f"{mark} {c['name']}: {c['detail']}", highlight=False)
    reports = ", ".join(str(out / n) for n in ("report.md", "report.html", "seeds.json") if (out / n).exists())
    console.print(f"wall time {res['wall_seconds']:.0f}s; report: {reports}", highlight=False)
    if not res["passed"]:
        where = "on some seed" if res.get("seeds") else "in this run"
        console.print(f"[red]some of the paper's expected effects did not show up {where} (see above)[/]")
        raise typer.Exit(1)
