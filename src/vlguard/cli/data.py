"""`vlguard data ...`: inspect, validate, convert, fetch and synthesise VLGuard-schema datasets, and clean
instruction data (`build` and `labels` live in `data_build`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from vlguard.cli import console
from vlguard.cli.options import SEED, in_range
from vlguard.data.paths import resolve_dataset

app = typer.Typer(help="Inspect, validate, convert, fetch, synthesise, build and clean datasets.", no_args_is_help=True)


@app.command()
def stats(
    path: str = typer.Argument(..., help="A VLGuard-schema JSON file, a folder holding train.json/test.json, or hub:train / hub:test."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Images, safe/unsafe, categories, subcategories and test-subset sizes."""
    from vlguard.data.stats import vlguard_stats

    results = [vlguard_stats(p) for p in resolve_dataset(path)]
    if as_json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=2))
        return
    for st in results:
        console.print(f"[bold]{st['path']}[/]: {st['images']} images "
                      f"({st['safe_images']} safe, {st['unsafe_images']} unsafe), {st['samples']} samples")
        t = Table("subset", "samples", title="Test subsets (as the paper's evaluation builds them)")
        for k, v in st["subsets"].items():
            t.add_row(k, str(v))
        console.print(t)
        t = Table("category / subcategory", "unsafe images", title="Unsafe images by subcategory")
        for k, v in st["subcategories"].items():
            t.add_row(k, str(v))
        console.print(t)
        if st["duplicate_ids"]:
            console.print(f"[yellow]duplicate record ids:[/] {', '.join(st['duplicate_ids'])} "
                          "(samples get unique ids with a ~N suffix)")


@app.command()
def validate(
    path: str = typer.Argument(..., help="A VLGuard-schema JSON file, a folder holding train.json/test.json, or hub:NAME."),
    image_root: Optional[Path] = typer.Option(None, "--image-root", help="Folder or zip holding the images (default: beside the JSON)."),
    lint: bool = typer.Option(False, "--lint", help="Also flag label noise: refusals to safe instructions, compliance with unsafe ones."),
    as_json: bool = typer.Option(False, "--json", help="Print problems as JSON lines."),
    taxonomy: Optional[Path] = typer.Option(None, "--taxonomy", help="YAML/JSON taxonomy of your own (default: the paper's)."),
) -> None:
    """Check every record; one line per problem. Exit 1 on errors, 0 when clean or warnings only."""
    from vlguard.data.labels import read_taxonomy, taxonomy_lists
    from vlguard.data.validate import validate_file

    known = taxonomy_lists(read_taxonomy(taxonomy)) if taxonomy else None
    n_err = n_warn = 0
    for p in resolve_dataset(path):
        problems = validate_file(p, image_root=image_root, lint=lint, taxonomy=known)
        for pr in problems:
            if as_json:
                print(json.dumps({"file": str(p), **pr.to_dict()}))
            else:
                colour = "red" if pr.severity == "error" else "yellow"
                console.print(f"[{colour}]{pr.severity}[/] {pr.format(p)}", highlight=False, soft_wrap=True)
        n_err += sum(pr.severity == "error" for pr in problems)
        n_warn += sum(pr.severity == "warning" for pr in problems)
    if not as_json:
        verdict = "[red]FAILED[/]" if n_err else "[green]OK[/]"
        console.print(f"{verdict}: {n_err} error(s), {n_warn} warning(s)")
    raise typer.Exit(1 if n_err else 0)


@app.command()
def convert(
    path: str = typer.Argument(..., help="A VLGuard-schema JSON file."),
    to: str = typer.Option(..., "--to", help="llava | sharegpt | messages"),
    out: Path = typer.Option(..., "-o", "--out", help="Output file (.json for llava/sharegpt, .jsonl for messages)."),
    seed: int = typer.Option(0, "--seed", help="Seed for the order of a safe image's two turns (the paper uses 0).",
                             callback=in_range(SEED)),
    image_root: Optional[Path] = typer.Option(None, "--image-root", help="Prefix written before image paths (default: none)."),
    force: bool = typer.Option(False, "--force", help="Overwrite OUT if it exists."),
) -> None:
    """Convert to LLaVA, ShareGPT (LLaMA-Factory) or chat-messages JSONL (TRL) training format."""
    from vlguard.data.convert import convert_file

    (src,) = resolve_dataset(path, single=True)
    n = convert_file(src, to, out, seed=seed, image_root=image_root, force=force)
    console.print(f"wrote {n} conversations to {out} ({to})")
    if to == "sharegpt":
        from vlguard.data.convert import llamafactory_note

        console.print(llamafactory_note(out, image_root))


@app.command()
def fetch(
    split: str = typer.Argument(..., help="train | test | gpt4_safe_safes"),
    out_dir: Path = typer.Option(Path("data/vlguard"), "-o", "--out", help="Where to put the files."),
    images: bool = typer.Option(False, "--images", help="Also fetch the image zip (large)."),
) -> None:
    """Fetch VLGuard files from the dataset's gated hub home (token from HF_TOKEN)."""
    from vlguard.data.hub import fetch_vlguard

    for f in fetch_vlguard(split, out_dir, images=images):
        console.print(f"fetched {f}")


@app.command()
def synth(
    out_dir: Path = typer.Option(..., "-o", "--out", help="Folder to write SynthGuard into (must be empty unless --force)."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives byte-identical files.",
                             callback=in_range(SEED)),
    n_train: int = typer.Option(2000, "--train", help="Images in train.json (VLGuard: 2000).", callback=in_range(">= 1")),
    n_test: int = typer.Option(1000, "--test", help="Images in test.json (VLGuard: 1000).", callback=in_range(">= 1")),
    n_vl_instruct: int = typer.Option(3000, "--vl-instruct", help="Conversations in vl_instruct.json.",
                                      callback=in_range(">= 0")),
    contamination: float = typer.Option(0.1, "--contamination", help="Share of vl_instruct answering harmful requests.",
                                        callback=in_range("[0, 1]")),
    force: bool = typer.Option(False, "--force", help="Write into a non-empty folder (clears an earlier SynthGuard there)."),
) -> None:
    """Generate SynthGuard: a synthetic VLGuard-style world a tiny vision LLM can learn on a CPU."""
    from vlguard.cli.progress import progress_bar
    from vlguard.synth import generate_synthguard

    with progress_bar("drawing images", total=n_train + n_test + n_vl_instruct) as update:
        summary = generate_synthguard(out_dir, seed=seed, n_train=n_train, n_test=n_test,
                                      n_vl_instruct=n_vl_instruct, contamination=contamination, force=force,
                                      progress=update)
    t = Table("file", "records", "details", title=f"SynthGuard v{summary['version']} (seed {seed}) in {out_dir}")
    for name, c in summary["counts"].items():
        if isinstance(c, int):
            t.add_row(name, str(c), "")
        elif "safe" in c:
            t.add_row(name, str(c["records"]), f"{c['safe']} safe, {c['unsafe']} unsafe in {len(c['subcategories'])} subcategories")
        else:
            t.add_row(name, str(c["conversations"]), f"{c['contaminated']} contaminated")
    console.print(t)


@app.command()
def clean(
    path: Path = typer.Argument(..., help="A LLaVA-format training set: a JSON list or JSONL of {id, image?, conversations} rows."),
    out: Path = typer.Option(..., "-o", "--out", help="Where the kept rows go (same format as the input)."),
    judge: str = typer.Option("harm-keywords", "--judge", help="A harm judge: harm-keywords (offline: harm lexicon + refusal check) | llm | classifier"),
    removed: Optional[Path] = typer.Option(None, "--removed", help="Where the removed rows go, with reasons (default: OUT stem + .removed.jsonl)."),
    on_error: str = typer.Option("remove", "--on-error", help="A row the judge could not judge: remove (default) | keep."),
    judge_model: Optional[str] = typer.Option(None, "--judge-model", help="Model name for the llm judge."),
    judge_base_url: Optional[str] = typer.Option(None, "--judge-base-url", help="Server for the llm judge."),
    api_key_env: str = typer.Option("OPENAI_API_KEY", "--api-key-env", help="Environment variable holding the llm judge's API key."),
    concurrency: int = typer.Option(8, "--concurrency", help="Concurrent llm judge requests.", callback=in_range(">= 1")),
    price_input: Optional[float] = typer.Option(None, "--price-input", help="llm judge: $ per 1M input tokens, to print the cost.",
                                                callback=in_range(">= 0")),
    price_output: Optional[float] = typer.Option(None, "--price-output", help="llm judge: $ per 1M output tokens, to print the cost.",
                                                 callback=in_range(">= 0")),
    classifier_model: Optional[str] = typer.Option(None, "--classifier-model", help="Classifier folder or hub id (default Llama-Guard-3-8B)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the verdict cache beside OUT."),
    force: bool = typer.Option(False, "--force", help="Overwrite OUT, the removed file and the summary if they exist."),
) -> None:
    """Screen a LLaVA-format set with a judge: write the kept rows, the removed ones with reasons, and counts.

    A row goes when any of its exchanges (a human turn and the gpt answer) is judged harmful: a harmful request
    answered (harm-keywords), a HARMFUL verdict (llm) or unsafe (classifier). A killed run resumes from its cache."""
    from vlguard.cli.progress import progress_bar
    from vlguard.data.clean import clean_file, clean_judge
    from vlguard.judges import judge_options

    model = (classifier_model or judge_model) if judge == "classifier" else judge_model
    the_judge = clean_judge(judge, **judge_options(judge, model=model, base_url=judge_base_url,
                                                   api_key_env=api_key_env, concurrency=concurrency))
    with progress_bar(f"judging rows ({judge})") as update:
        summary = clean_file(path, out, the_judge, removed_path=removed, on_error=on_error, force=force,
                             use_cache=not no_cache, price_input=price_input, price_output=price_output,
                             progress=update, log=lambda m: console.print(m, highlight=False, markup=False))
    t = Table("reason", "rows", title=f"{summary['rows']} rows, {summary['exchanges']} exchanges judged by "
                                      f"{summary['judge']['name']}")
    t.add_row("kept", str(summary["kept"]))
    for reason, n in summary["removed_by_reason"].items():
        t.add_row(f"removed: {reason}", str(n))
    for cat, n in (summary["harmful_by_category"] or {}).items():
        t.add_row(f"  harmful: {cat}", str(n))
    if summary["kept_with_judge_errors"]:
        t.add_row("kept despite a judge error", str(summary["kept_with_judge_errors"]))
    console.print(t)
    console.print(f"kept rows -> {summary['output']}\nremoved rows -> {summary['removed_file']}\n"
                  f"summary -> {summary['summary_file']}", highlight=False)
    if summary["rows_from_cache"]:
        console.print(f"{summary['rows_from_cache']} row(s) came from the verdict cache {summary['cache_file']}",
                      highlight=False)
    if summary["usage"] is not None:
        from vlguard.clients.usage import Usage

        console.print(f"judge: {Usage(**summary['usage']).describe(price_input, price_output)}", highlight=False)
