"""`vlguard data build` and `vlguard data labels`: make a VLGuard-style dataset from your own labelled images."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.table import Table

from vlguard.cli import console
from vlguard.cli.data import app
from vlguard.cli.options import in_range
from vlguard.errors import WorkFailedError

if TYPE_CHECKING:
    from vlguard.data.build import BuildOptions, BuildSummary, Job


@app.command()
def build(
    images: Path = typer.Option(..., "--images", help="Folder (or zip) holding the images."),
    labels: Path = typer.Option(..., "--labels", help="CSV with columns image,safe,category,subcategory."),
    annotator: str = typer.Option(..., "--annotator", help="Model name on the server, e.g. gpt-4o."),
    out: Path = typer.Option(..., "-o", "--out", help="Output VLGuard-schema JSON file."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible server (default: OpenAI's)."),
    api_key_env: str = typer.Option("OPENAI_API_KEY", "--api-key-env", help="Environment variable holding the API key."),
    taxonomy: Optional[Path] = typer.Option(None, "--taxonomy", help="YAML/JSON taxonomy (default: the paper's 9 subcategories)."),
    prompts: str = typer.Option("v1", "--prompts", help="Shipped prompt set (v1) or a folder of your own prompts."),
    language: str = typer.Option("English", "--language", help="Language of instructions and responses."),
    check: str = typer.Option("keywords", "--check", help="keywords (English) | llm (a judge model; any language)."),
    check_model: Optional[str] = typer.Option(None, "--check-model", help="Judge model for --check llm (default: the annotator)."),
    check_base_url: Optional[str] = typer.Option(None, "--check-base-url", help="Server of the --check llm judge (default: --base-url)."),
    max_attempts: int = typer.Option(3, "--max-attempts", help="Answers asked per part before it is a failure.",
                                     callback=in_range(">= 1")),
    concurrency: int = typer.Option(8, "--concurrency", help="Requests in flight at once.", callback=in_range(">= 1")),
    max_retries: int = typer.Option(5, "--max-retries", help="Retries of a request on 429/5xx/timeouts.",
                                    callback=in_range(">= 0")),
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds per request.", callback=in_range("> 0")),
    temperature: float = typer.Option(0.7, "--temperature", help="Sampling temperature of the annotator.",
                                      callback=in_range("[0, 2]")),
    max_new_tokens: int = typer.Option(600, "--max-new-tokens", callback=in_range(">= 1")),
    price_input: Optional[float] = typer.Option(None, "--price-input", help="$ per 1M input tokens, for the cost.",
                                                callback=in_range(">= 0")),
    price_output: Optional[float] = typer.Option(None, "--price-output", help="$ per 1M output tokens, for the cost.",
                                                 callback=in_range(">= 0")),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Ask again for parts that failed in earlier runs."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the prompts and what would be asked; call nothing."),
    force: bool = typer.Option(False, "--force", help="Overwrite OUT when it was not made by an earlier build."),
) -> None:
    """Annotate labelled images with a vision-language model into a VLGuard-schema file (resumable)."""
    from vlguard.cli.progress import progress_bar
    from vlguard.data.build import BuildOptions, check_build_output, plan
    from vlguard.data.build import build as run_build
    from vlguard.data.build import dry_run as would_ask
    from vlguard.data.build_prompts import load_prompt_set
    from vlguard.data.labels import default_taxonomy, read_labels, read_taxonomy

    tax = read_taxonomy(taxonomy) if taxonomy else default_taxonomy()
    label_rows = read_labels(labels, tax)
    prompt_set = load_prompt_set(prompts)
    opts = BuildOptions(model=annotator, base_url=base_url, api_key_env=api_key_env, language=language,
                        max_attempts=max_attempts, concurrency=concurrency, max_retries=max_retries, timeout=timeout,
                        temperature=temperature, max_new_tokens=max_new_tokens, check=check, check_model=check_model,
                        check_base_url=check_base_url, price_input=price_input, price_output=price_output,
                        retry_failed=retry_failed)
    jobs = plan(label_rows, images, prompt_set, tax, annotator, language)
    if dry_run:
        _print_dry_run(jobs, would_ask(jobs, out, retry_failed), opts, len(label_rows), out, prompt_set.version)
        return
    check_build_output(out, force)
    with progress_bar("annotating", eta=True) as update:  # build() reports the total: parts not in the cache
        summary = run_build(label_rows, images, out, opts, prompt_set, tax, jobs=jobs, progress=update)
    _print_summary(summary, opts, out)
    if summary.unfinished:
        console.print(f"[yellow]{summary.unfinished} part(s) could not be asked (api-error): run the same command "
                      f"again to ask only for them[/]")
    if not summary.records:
        raise WorkFailedError(f"no image was annotated: every one of the {summary.images} image(s) has a failed part "
                              f"({sum(summary.failures.values())} failed part(s)); {out} was not written, see "
                              f"{summary.paths['failures']}")
    if summary.unfinished:
        raise typer.Exit(1)
    console.print(f"next: vlguard data validate {out} --image-root {images} --lint")


def _print_dry_run(jobs: list[Job], todo: list[Job], opts: BuildOptions, n_images: int, out: Path,
                   prompts_version: str) -> None:
    """Every prompt a build would send (each text once), then what it would ask and what the cache answers."""
    from vlguard.data.build import output_paths

    shown: set[str] = set()
    for j in todo:
        console.rule(f"{j.label.image} · {j.part}" + (f" · {j.label.category} / {j.label.subcategory}"
                                                      if not j.label.safe else ""))
        console.print(j.prompt if j.prompt not in shown else "(same prompt as above)", highlight=False, markup=False)
        shown.add(j.prompt)
    console.print(f"dry run: {n_images} image(s), {len(jobs)} part(s); {len(todo)} request(s) would be "
                  f"sent to {opts.model} (each answer may be asked up to {opts.max_attempts} time(s)), "
                  f"{len(jobs) - len(todo)} answered from {output_paths(out)['cache']}; prompts {prompts_version}")


def _print_summary(summary: BuildSummary, opts: BuildOptions, out: Path) -> None:
    """What was built, the failed parts by reason, and the calls, tokens and cost of the annotator and check."""
    from vlguard.clients.usage import Usage

    prices = (opts.price_input, opts.price_output)
    console.print(f"[bold]{summary.records}[/] of {summary.images} image(s) annotated into {out} "
                  f"({summary.parts} part(s), {summary.from_cache} from the cache) in {summary.seconds:.1f} s")
    if summary.failures:
        t = Table("reason", "parts", title="Failed parts")
        for reason, n in sorted(summary.failures.items(), key=lambda kv: -kv[1]):
            t.add_row(reason, str(n))
        console.print(t)
        console.print(f"every failed part, with its answers and reasons: {summary.paths['failures']} "
                      f"(api-error parts are asked again by the next run; others with --retry-failed)")
    console.print(f"annotator: {Usage(**summary.usage).describe(*prices)}", highlight=False)
    if opts.check == "llm":
        console.print(f"llm check: {Usage(**summary.check_usage).describe(*prices)}", highlight=False)
    if summary.from_cache:
        console.print(f"reused from the cache (paid in earlier runs): "
                      f"{Usage(**summary.cached_usage).describe(*prices)}", highlight=False)
    if summary.cost is not None:
        console.print(f"[bold]cost of this run: ${summary.cost:,.4f}[/]")


@app.command("labels")
def labels_command(
    path: Path = typer.Argument(..., help="A VLGuard-schema JSON file whose images you want annotated again."),
    out: Path = typer.Option(..., "-o", "--out", help="Labels CSV to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite OUT."),
) -> None:
    """Write the labels CSV of an existing VLGuard-schema file (input for `data build`, e.g. in another language)."""
    from vlguard.data.labels import labels_from_records, write_labels
    from vlguard.data.vlguard import load_records
    from vlguard.fileio import check_output

    check_output(out, force)
    rows = labels_from_records(load_records(path), str(path))
    write_labels(out, rows)
    console.print(f"wrote {len(rows)} image label(s) to {out} ({sum(r.safe for r in rows)} safe)")
